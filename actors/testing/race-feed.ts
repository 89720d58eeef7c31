import type { EventDeclaration, FinishRule } from '../contracts/declaration.ts';
import type { SessionInput } from '../contracts/events.ts';
import type { Flag } from '../contracts/flags.ts';

/**
 * Test fixtures: a small GT meeting at Sebring and a feed that builds realistic SessionInputs. Times are given in ms
 * of race time (since the start) for readability and converted to absolute µs on the source's clock.
 */

export const REF = { track: 'sebring', event: '2026-winter-gt', session: 'race-1' } as const;

/** 1 March 2026 14:00:00 UTC, in µs. */
export const START_US = 1_772_373_600_000_000;

export function declaration(finish: FinishRule = { laps: 5 }): EventDeclaration {
  return {
    track: REF.track,
    event: REF.event,
    name: 'Winter GT',
    timeZone: 'America/New_York',
    classes: [
      { id: 'gt3', name: 'GT3' },
      { id: 'gt4', name: 'GT4' },
    ],
    sessions: [
      { id: 'practice', name: 'Practice', type: 'practice', finish: { timeMs: 3_600_000 } },
      { id: REF.session, name: 'Race 1', type: 'race', finish },
    ],
    entries: [
      { number: '7', name: 'A. Rossi', class: 'gt3', transponder: '1000007' },
      { number: '05', name: 'B. Keller', class: 'gt3', transponder: '1000005' },
      { number: '12', name: 'C. Moreau', class: 'gt4', transponder: '1000012' },
      { number: '5', name: 'D. Silva', class: 'gt4', transponder: '1000050' },
    ],
  };
}

/** Builds inputs; passings get consecutive reading seqs from one decoder boot. */
export function createFeed(startUs = START_US) {
  let seq = 0;
  const at = (raceMs: number) => startUs + Math.round(raceMs * 1000);
  return {
    at,
    declare: (finish?: FinishRule, raceMs = -600_000): SessionInput =>
      ({ kind: 'declaration', atUs: at(raceMs), declaration: declaration(finish) }),
    open: (raceMs = -300_000): SessionInput => ({ kind: 'session', atUs: at(raceMs), verb: 'open' }),
    start: (raceMs = 0): SessionInput => ({ kind: 'session', atUs: at(raceMs), verb: 'start' }),
    finish: (raceMs: number): SessionInput => ({ kind: 'session', atUs: at(raceMs), verb: 'finish' }),
    official: (raceMs: number): SessionInput => ({ kind: 'session', atUs: at(raceMs), verb: 'official' }),
    flag: (flag: Flag, raceMs: number, sector?: number): SessionInput =>
      sector === undefined ? { kind: 'flag', atUs: at(raceMs), flag } : { kind: 'flag', atUs: at(raceMs), flag, sector },
    tick: (raceMs: number): SessionInput => ({ kind: 'tick', atUs: at(raceMs) }),
    pass: (car: string, raceMs: number): SessionInput & { kind: 'passing' } => ({
      kind: 'passing',
      atUs: at(raceMs),
      car,
      precisionUs: 1_000,
      reading: { device: 'sebring-loop-sf', boot: 'b7f3', seq: ++seq },
    }),
  };
}

/**
 * A 5-lap race of the four cars, lap times 96–108 s: 7 wins from 05; 12 leads GT4; 5 stops after lap 2.
 * Returns the inputs in arrival order (crossings sorted by time).
 */
export function fiveLapRace(): SessionInput[] {
  const feed = createFeed();
  const laps: Record<string, number[]> = {
    '7': [101_204, 97_811, 97_502, 98_040, 97_655, 99_000],
    '05': [101_950, 98_200, 97_950, 98_100, 97_800, 99_100],
    '12': [104_330, 103_100, 102_870, 103_400, 102_950, 104_000],
    '5': [105_020, 103_900],
  };
  const crossings: [string, number][] = [];
  for (const [car, times] of Object.entries(laps)) {
    let t = 0;
    for (const lapMs of times) crossings.push([car, (t += lapMs)]);
  }
  crossings.sort((a, b) => a[1] - b[1]);
  const inputs: SessionInput[] = [feed.declare(), feed.open(), feed.start(0)];
  let tick = 1_000;
  for (const [car, raceMs] of crossings) {
    for (; tick < raceMs; tick += 1_000) inputs.push(feed.tick(tick));
    inputs.push(feed.pass(car, raceMs));
  }
  inputs.push(feed.finish(640_000), feed.official(900_000));
  return inputs;
}

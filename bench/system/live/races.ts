import type { EventDeclaration } from '../../../actors/contracts/declaration.ts';

/**
 * The races the live scenarios run: `sessions` independent sessions, each its own track (`bench-01`, …) with one
 * event and one race of `cars` entries with their own transponders, so the engine assigns every passing to exactly one
 * open session. A race is played in real time by the edge load (edge-load.ts) from `raceTimeline`.
 */
export interface RaceSpec {
  sessions: number;
  cars: number;
  /** Mean lap time; each car gets its own pace within ±4% of it. */
  lapMs: number;
}

export const SESSION_ID = 'race-1';
const CLASSES = ['gt3', 'gt4', 'tcr'];

export const trackOf = (i: number) => `bench-${String(i + 1).padStart(2, '0')}`;
export const deviceOf = (i: number) => `loop-${String(i + 1).padStart(2, '0')}`;

export function raceDeclaration(i: number, spec: RaceSpec): EventDeclaration {
  const track = trackOf(i);
  return {
    track,
    event: `${track}-day`,
    name: `Benchmark race ${i + 1}`,
    classes: CLASSES.map((id) => ({ id, name: id.toUpperCase() })),
    // Laps shorter than minLapMs are double reads (default 15 s): the fast races of the slow-spectator scenario are real laps.
    sessions: [{ id: SESSION_ID, name: 'Race', type: 'race', finish: { timeMs: 24 * 3600_000 }, minLapMs: Math.floor(spec.lapMs / 2) }],
    entries: Array.from({ length: spec.cars }, (_, c) => ({
      number: String(c + 1),
      name: `Driver ${c + 1}`,
      class: CLASSES[c % CLASSES.length]!,
      transponder: String(7_000_000 + i * 1000 + c),
    })),
  };
}

/** One thing the track reports, at `atUs` (wall-clock µs: the race runs in real time). */
export type TimelineItem =
  | { atUs: number; type: 'session.open' | 'session.start' | 'clock.tick' }
  | { atUs: number; type: 'passing'; transponder: string };

/** A small seeded generator (mulberry32): the same race every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Race `i` opened at `openAtUs` and started at `startAtUs`. Nobody crosses the line at the start (a crossing within
 * the minimum lap of the start would be discarded, SCORING-NOTES): the first crossing completes lap 1, and the field,
 * still bunched, crosses within 2 s — the start burst. Then every car laps at its own pace (±4% of the mean) with
 * ±0.6% noise; one clock tick per second of session time. Ends at `untilUs`. Sorted by time.
 */
export function* raceTimeline(
  i: number, spec: RaceSpec, declaration: EventDeclaration, times: { openAtUs: number; startAtUs: number; untilUs: number },
): Generator<TimelineItem> {
  const { openAtUs, startAtUs, untilUs } = times;
  const next = random(1000 + i);
  const firstLapUs = spec.lapMs * 1000 * 1.05; // a first lap from the grid is slower
  const cars = declaration.entries.map((e, c) => ({
    transponder: e.transponder!,
    paceUs: spec.lapMs * 1000 * (0.96 + 0.08 * next()),
    atUs: startAtUs + Math.round(firstLapUs + c * (2_000_000 / spec.cars)),
  }));
  yield { atUs: openAtUs, type: 'session.open' };
  yield { atUs: startAtUs, type: 'session.start' };
  let tickUs = openAtUs + 1_000_000;
  for (;;) {
    const car = cars.reduce((a, b) => (b.atUs < a.atUs ? b : a));
    if (tickUs <= car.atUs) {
      if (tickUs > untilUs) return;
      yield { atUs: tickUs, type: 'clock.tick' };
      tickUs += 1_000_000;
      continue;
    }
    if (car.atUs > untilUs) return;
    yield { atUs: car.atUs, type: 'passing', transponder: car.transponder };
    car.atUs += Math.round(car.paceUs * (0.994 + 0.012 * next()));
  }
}

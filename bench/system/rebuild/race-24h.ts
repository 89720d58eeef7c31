import type { EventDeclaration, SessionDeclaration } from '../../../actors/contracts/declaration.ts';
import type { LapEvent, SessionInput } from '../../../actors/contracts/events.ts';
import type { SessionRef } from '../../../actors/scoring/state.ts';
import { createSessionActor } from '../../../actors/session-actor.ts';
import { simEventToJsonl } from '../../../edge/jsonl/from-sim.ts';
import type { JsonlRecord } from '../../../edge/jsonl/records.ts';
import { jsonlToSessionInputs } from '../../../edge/jsonl/to-session-inputs.ts';
import { DEMO_CLASS_PACE_US } from '../../../edge/sim/field.ts';
import { sessionTimeline } from '../../../edge/sim/timeline.ts';
import { readDeclarationFile } from '../../../engine/declarations/read.ts';
import { DEMO_EVENT_FILE } from '../../../engine/demo.ts';

/**
 * A 24-hour race, generated deterministically (seeded) by the simulator's own timeline: the demo event's 100 entries,
 * one timed session of 24 h, the demo classes' lap times stretched by `paceScale` (a longer circuit: ~2 min laps give
 * ~700 laps a car, ~70,000 passings), one clock tick per second of session time, the start, a full-course yellow and
 * the checkered. The inputs are what the engine writes to RACE for it (passings mapped to cars by the declared
 * entries, edge/jsonl/to-session-inputs.ts, as the engine's ingest does, with the sim agent's reading ids); the laps
 * are what the live actor wrote back.
 */
export interface Race24h {
  declaration: EventDeclaration;
  session: SessionDeclaration;
  ref: SessionRef;
  inputs: SessionInput[];
  /** The laps a live actor completed folding `inputs` (written to RACE by its host right after that input). */
  laps: { lap: LapEvent; afterInput: number }[];
  count: { passings: number; ticks: number; flags: number; cars: number };
}

export const RACE_24H_SESSION = 'race-24h';

export function generateRace24h(opts: { cars: number; hours: number; seed: number; paceScale: number; openAtUs: number }): Race24h {
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  if (demo.entries.length < opts.cars) throw new Error(`the demo event declares ${demo.entries.length} entries, not ${opts.cars}`);
  const session: SessionDeclaration = { id: RACE_24H_SESSION, name: `${opts.hours}-hour race`, type: 'race', finish: { timeMs: opts.hours * 3_600_000 } };
  const declaration: EventDeclaration = { ...demo, sessions: [session], entries: demo.entries.slice(0, opts.cars) };
  const classPaceUs = Object.fromEntries(Object.entries(DEMO_CLASS_PACE_US).map(([c, us]) => [c, Math.round(us * opts.paceScale)]));
  const timeline = sessionTimeline(declaration, session, { cars: opts.cars, seed: opts.seed, openAtUs: opts.openAtUs, classPaceUs });
  const records: JsonlRecord[] = [{ type: 'declaration', declaration }, ...[...timeline].map((e) => simEventToJsonl(e, declaration, session.id))];
  // The simulator's agent stamps every record it sends — passings, ticks, flags, session changes — from one counter
  // (edge/reading-stamp.ts), and ingest copies that reading into each RACE event: stamp them the same way here.
  let seq = 0;
  const inputs = jsonlToSessionInputs(records, session.id).map((i): SessionInput =>
    i.kind === 'declaration' ? i : ({ ...i, reading: { device: 'sim', boot: 'bench', seq: ++seq } } as SessionInput));
  const ref = { track: declaration.track, event: declaration.event, session: session.id };
  const laps: Race24h['laps'] = [];
  let at = 0;
  const actor = createSessionActor(ref, { publishLap: (lap) => laps.push({ lap, afterInput: at }) });
  for (; at < inputs.length; at++) actor.send(inputs[at]!);
  actor.stop();
  const count = { passings: 0, ticks: 0, flags: 0, cars: opts.cars };
  for (const i of inputs) {
    if (i.kind === 'passing') count.passings++;
    else if (i.kind === 'tick') count.ticks++;
    else if (i.kind === 'flag') count.flags++;
  }
  return { declaration, session, ref, inputs, laps, count };
}

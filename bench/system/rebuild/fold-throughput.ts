import type { SessionInput } from '../../../actors/contracts/events.ts';
import { reduce } from '../../../actors/scoring/reduce.ts';
import { initialScoring, type SessionRef } from '../../../actors/scoring/state.ts';
import { createSessionActor } from '../../../actors/session-actor.ts';

/**
 * Passings per second through one session actor (`createSessionActor`: input checks, reading dedupe, the session and
 * flag machines, the reducer), and its peer on the same inputs in the same run: the pure scoring reducer folded alone
 * (`reduce`, no checks, no dedupe, no machines). Each fold starts from a fresh session and takes every input — the
 * declaration, ticks and flags as well as the passings — so "passings per second" is passings / the whole fold's time.
 *
 * The peer's inputs differ in one respect (`forReducer`): outside the actor nothing marks the readings of ticks and
 * flags as seen, so the passings' reading ids alone would leave a gap at every tick, and the reducer's dedupe set
 * (scoring/seen-readings.ts: sorted ranges, linear in their number) would grow to one range a passing — a cost the
 * actor never pays. The peer gets the passings numbered 1..n instead, one range as in the actor.
 */
export interface FoldTiming {
  ms: number;
  passingsPerSecond: number;
  inputsPerSecond: number;
}

export function timeActorFold(ref: SessionRef, inputs: readonly SessionInput[], passings: number): FoldTiming {
  const t0 = performance.now();
  const actor = createSessionActor(ref, { publishLap: () => undefined });
  for (const input of inputs) actor.send(input);
  actor.view();
  actor.stop();
  return timing(performance.now() - t0, inputs.length, passings);
}

export function forReducer(inputs: readonly SessionInput[]): SessionInput[] {
  let seq = 0;
  return inputs.map((input): SessionInput => {
    if (input.kind === 'passing') return { ...input, reading: { ...input.reading, seq: ++seq } };
    if (!('reading' in input)) return input;
    const { reading: _r, ...rest } = input;
    return rest as SessionInput;
  });
}

/** `inputs`: from `forReducer`. */
export function timeReducerFold(ref: SessionRef, inputs: readonly SessionInput[], passings: number): FoldTiming {
  const t0 = performance.now();
  let state = initialScoring(ref);
  for (const input of inputs) state = reduce(state, input).state;
  return timing(performance.now() - t0, inputs.length, passings);
}

const timing = (ms: number, inputs: number, passings: number): FoldTiming => ({
  ms,
  passingsPerSecond: (passings / ms) * 1000,
  inputsPerSecond: (inputs / ms) * 1000,
});

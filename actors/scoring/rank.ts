import type { CarScore, ScoringState } from './state.ts';

/**
 * Race order (SCORING-NOTES §10–12): laps descending, then the time of the last counted crossing ascending; exact
 * ties rank the passing received first ahead; cars without a counted crossing follow the timed cars with the same
 * laps, in declared order. Only declared entries are ranked (a car dropped from the entries leaves the board).
 * Returns the car numbers, leader first.
 */
export function rank(state: ScoringState): string[] {
  const entries = state.declared?.entries ?? [];
  const rows = entries.map((entry, index) => ({ number: entry.number, index, car: state.cars[entry.number] }));
  rows.sort((a, b) => compareCars(a.car, b.car) || a.index - b.index);
  return rows.map((r) => r.number);
}

function compareCars(a: CarScore | undefined, b: CarScore | undefined): number {
  const laps = (b?.laps ?? 0) - (a?.laps ?? 0);
  if (laps !== 0) return laps;
  const aTimed = a?.lastAtUs !== undefined;
  const bTimed = b?.lastAtUs !== undefined;
  if (aTimed !== bTimed) return aTimed ? -1 : 1;
  if (!aTimed || !bTimed) return 0;
  return a!.lastAtUs! - b!.lastAtUs! || (a!.lastArrival ?? 0) - (b!.lastArrival ?? 0);
}

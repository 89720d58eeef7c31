import { rank } from '../../scoring/rank.ts';
import type { ScoringState } from '../../scoring/state.ts';

/**
 * A board as the comparator sees it: each car's position and the value the program's row carries beside it — laps
 * for the race board (`$G`), the best lap in ms for the best-lap board (`$H`; undefined without one).
 */
export interface Placing {
  position: number;
  value: number | undefined;
}

export type Board = ReadonlyMap<string, Placing>;

export type BoardKind = 'race' | 'best';

/**
 * Our board of either kind, whatever the session's type: the program sends both in every session (`$G` in race
 * order in practice too, `$H` in best-lap order in races too). Ranked by the reducer's own rules (rank.ts): race
 * order (SCORING-NOTES §10–12), best-lap order (§15–16).
 */
export function boardOf(kind: BoardKind, state: ScoringState): Board {
  if (!state.declared) return new Map();
  const order = rank({ ...state, declared: { ...state.declared, type: kind === 'race' ? 'race' : 'practice' } });
  return new Map(order.map((car, i) => {
    const score = state.cars[car];
    return [car, { position: i + 1, value: kind === 'race' ? score?.laps ?? 0 : lapMs(score?.bestLapUs) }];
  }));
}

/** Program lap times are whole milliseconds. */
export const lapMs = (us: number | undefined): number | undefined => (us === undefined ? undefined : Math.round(us / 1000));

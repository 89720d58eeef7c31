import type { Rejected, ScoringState } from './state.ts';

/** Small steps shared by the reducer's parts. */

/** `state` with one more rejection for `reason`; nothing else changes. */
export function rejected(state: ScoringState, reason: keyof Rejected): ScoringState {
  return { ...state, rejected: { ...state.rejected, [reason]: (state.rejected[reason] ?? 0) + 1 } };
}

/** The session clock follows the latest event time (never backwards); it stops once the session is finished. */
export function clocked(state: ScoringState, atUs: number): ScoringState {
  if (state.phase === 'finished' || state.phase === 'official') return state;
  if (state.nowUs !== undefined && state.nowUs >= atUs) return state;
  return { ...state, nowUs: atUs };
}

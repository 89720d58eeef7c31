import type { PassingEdit } from '../contracts/events.ts';
import { edited, entries, type History, type HistoryEntry, isRecordedPassing } from './history.ts';
import { countPassing } from './passing.ts';
import { type Reduced, scoreInput } from './reduce.ts';
import { initialScoring, type ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

/**
 * Race control removes, adds or moves one passing (docs/race-control.md): the session's kept inputs (history.ts) are
 * edited and folded again from the start, so the scores are exactly those of a session whose input had been the
 * corrected passings all along — a removed double read joins the laps before and after it into one lap with the
 * summed time, an added passing splits a lap in two, and last and best laps, gaps, laps led and the finish follow.
 *
 * Kept as they were, since they are not scores of the passings: the reading dedupe, the session clock, race control's
 * log and penalty list, the program's agreement and the rejection counters (they count inputs as they came). Laps
 * already published are not published again. An edit naming a car not entered, or a passing the session does not
 * hold, or adding one later than the session clock, changes nothing and is counted (`unknownCar`, `badPassingEdit`).
 */
export function editPassing(before: ScoringState, edit: PassingEdit): Reduced {
  const entered = (car: string | undefined) => before.declared?.entries.some((e) => e.number === car) === true;
  if (!entered(edit.car) || (edit.edit === 'move' && (!entered(edit.to) || edit.to === edit.car))) {
    return { state: rejected(before, 'unknownCar'), laps: [] };
  }
  const state = clocked(before, edit.atUs);
  // A passing added after the clock would sit before inputs that come later but are earlier.
  const future = edit.edit === 'add' && edit.passingAtUs > (state.nowUs ?? edit.atUs);
  const history = future ? undefined : edited(state.history, edit);
  if (!history) return { state: rejected(state, 'badPassingEdit'), laps: [] };
  return { state: refolded(state, history), laps: [] };
}

const KEPT = ['seen', 'nowUs', 'rejected', 'controlLog', 'penalties', 'agreement'] as const;

/** `state`'s scores folded again from `history` (which it then holds); the KEPT fields stay as they were. */
function refolded(state: ScoringState, history: History): ScoringState {
  let again: ScoringState = { ...initialScoring(state.ref), minLapUs: state.minLapUs, ...(state.options && { options: state.options }) };
  for (const entry of entries(history)) again = replayed(again, entry);
  const out: Record<string, unknown> = { ...again, history };
  for (const key of KEPT) {
    delete out[key];
    if (state[key] !== undefined) out[key] = state[key];
  }
  return out as unknown as ScoringState;
}

function replayed(state: ScoringState, entry: HistoryEntry): ScoringState {
  return isRecordedPassing(entry) ? countPassing(state, { atUs: entry[0], car: entry[1] }).state : scoreInput(state, entry).state;
}

import type { LapEvent, SessionInput } from '../contracts/events.ts';
import type { Flag } from '../contracts/flags.ts';
import { declaredSession } from './declare.ts';
import { carInput } from './car-inputs.ts';
import { scoreCrossing } from './crossing.ts';
import { type KeptInput, recorded } from './history.ts';
import { editPassing } from './passing-edit.ts';
import { scorePassing } from './passing.ts';
import { reassignPassing, recordControl } from './race-control.ts';
import type { ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

/**
 * The scoring reducer: a session's scores are the fold of its inputs, `reduce(state, input)`. Pure and total: it
 * never throws and never reads the clock (time comes only from `atUs`). Returns the next state and the laps this
 * input completed (for publishing, in order).
 *
 * Session verbs and flags are recorded as scoring facts (started, red, checkered). The reducer trusts its caller for
 * their legality: the session actor passes on only what the session and flag machines accepted. Standing alone it is
 * lenient: a second start is ignored, a flag before the start is ignored.
 */
export interface Reduced {
  state: ScoringState;
  laps: LapEvent[];
}

export function reduce(state: ScoringState, input: SessionInput): Reduced {
  const out = scoreInput(state, input);
  // Kept for passing edits (history.ts) — except a passing turned away as a reading already applied.
  const duplicate = out.state.rejected.duplicate !== state.rejected.duplicate;
  const history = duplicate ? out.state.history : recorded(out.state.history, input);
  const next = history === out.state.history ? out.state : { ...out.state, history };
  return { state: input.control ? recordControl(state, next, input) : next, laps: out.laps };
}

/** One input's effect on the scores (without the history and the control log, which `reduce` adds). */
export function scoreInput(state: ScoringState, input: SessionInput | KeptInput): Reduced {
  if (input.kind === 'declaration') {
    const declared = declaredSession(state, input.declaration);
    if (!declared) return { state: rejected(state, 'undeclared'), laps: [] };
    return { state: { ...clocked(state, input.atUs), declared }, laps: [] };
  }
  if (!state.declared) return { state: rejected(state, 'undeclared'), laps: [] };
  switch (input.kind) {
    case 'tick':
      return { state: clocked(state, input.atUs), laps: [] };
    case 'session':
      return { state: sessionVerb(clocked(state, input.atUs), input.verb, input.atUs), laps: [] };
    case 'flag':
      return { state: flagShown(clocked(state, input.atUs), input.flag, input.atUs), laps: [] };
    case 'passing':
      return scorePassing(state, input);
    case 'crossing':
      return scoreCrossing(state, input);
    case 'note':
      return { state: clocked(state, input.atUs), laps: [] };
    case 'reassign':
      return reassignPassing(state, input);
    case 'passing-edit':
      return editPassing(state, input);
    case 'agreement':
      return { state: { ...state, agreement: { rows: input.rows, disagreements: input.disagreements, rule: input.rule } }, laps: [] };
    default:
      return carInput(state, input);
  }
}

function sessionVerb(state: ScoringState, verb: 'open' | 'start' | 'finish' | 'official', atUs: number): ScoringState {
  switch (verb) {
    case 'open':
      return state.phase === 'scheduled' ? { ...state, phase: 'open' } : state;
    case 'start':
      if (state.phase !== 'scheduled' && state.phase !== 'open') return state;
      return { ...state, phase: 'running', flag: 'green', startUs: atUs };
    case 'finish':
      if (state.phase !== 'running' && state.phase !== 'finishing') return state;
      return { ...state, phase: 'finished', flag: 'checkered', checkeredAtUs: state.checkeredAtUs ?? atUs };
    case 'official':
      return state.phase === 'finished' ? { ...state, phase: 'official' } : state;
  }
}

function flagShown(state: ScoringState, flag: Flag, atUs: number): ScoringState {
  if (state.phase === 'finishing' && flag === 'green') return resumed(state);
  if (state.phase !== 'running' || flag === 'none') return state;
  // A checkered shown by race control (a shortened race): every car, the leader too, finishes at its next crossing.
  if (flag === 'checkered') return { ...state, phase: 'finishing', flag, checkeredAtUs: atUs };
  return state.flag === flag ? state : { ...state, flag };
}

/** Green after the checkered (it happens, SCORING-NOTES §9): counting resumes; nobody has finished. */
function resumed(state: ScoringState): ScoringState {
  const { checkeredAtUs: _c, finalLap: _f, ...rest } = state;
  const cars: ScoringState['cars'] = {};
  for (const [number, car] of Object.entries(state.cars)) {
    const { finished: _x, ...unfinished } = car;
    cars[number] = unfinished;
  }
  return { ...rest, phase: 'running', flag: 'green', cars };
}

import type { PassingReassignment, SessionInput } from '../contracts/events.ts';
import { CONTROL_LOG_LIMIT, type CommandVerb, type ControlLogEntry, type PenaltyRecord } from '../contracts/race-control.ts';
import type { Reduced } from './reduce.ts';
import type { ScoringState } from './state.ts';
import { clocked, rejected } from './step.ts';

/**
 * Race control's part of the reducer: the control log and the penalty list of the view, and the one correction that
 * touches two cars. Pure, like the rest of the reducer.
 */

/** A passing moved from `car` to `to`: one lap less for one, one more for the other. Unknown cars are counted. */
export function reassignPassing(before: ScoringState, input: PassingReassignment): Reduced {
  const entries = before.declared?.entries ?? [];
  if (!entries.some((e) => e.number === input.car) || !entries.some((e) => e.number === input.to) || input.car === input.to) {
    return { state: rejected(before, 'unknownCar'), laps: [] };
  }
  const state = clocked(before, input.atUs);
  const from = state.cars[input.car] ?? { laps: 0 };
  const to = state.cars[input.to] ?? { laps: 0 };
  return { state: { ...state, cars: { ...state.cars, [input.car]: { ...from, laps: from.laps - 1 }, [input.to]: { ...to, laps: to.laps + 1 } } }, laps: [] };
}

/**
 * After the reducer applied `input`: an input race control gave (it carries `control`) is written into the control
 * log, and a penalty into the penalty list — unless the reducer turned it away (a rejection was counted).
 */
export function recordControl(before: ScoringState, after: ScoringState, input: SessionInput): ScoringState {
  const stamp = input.control;
  if (!stamp || after.rejected !== before.rejected) return after;
  const car = 'car' in input ? input.car : undefined;
  const entry: ControlLogEntry = {
    id: stamp.id, atUs: input.atUs, atMs: stamp.atMs, by: stamp.by, verb: verbOf(input), text: describe(input, after.startUs),
    ...(car !== undefined && { car }),
    ...(stamp.why !== undefined && { why: stamp.why }),
  };
  const log = [...(after.controlLog ?? []), entry].slice(-CONTROL_LOG_LIMIT);
  if (input.kind !== 'penalty') return { ...after, controlLog: log };
  const penalty: PenaltyRecord = {
    id: stamp.id, atUs: input.atUs, car: input.car, type: input.type ?? (input.laps ? 'laps' : 'time'),
    ...(input.timeUs !== undefined && { timeUs: input.timeUs }),
    ...(input.laps !== undefined && { laps: input.laps }),
    ...(stamp.why !== undefined && { why: stamp.why }),
  };
  return { ...after, controlLog: log, penalties: [...(after.penalties ?? []), penalty] };
}

function verbOf(input: SessionInput): CommandVerb {
  switch (input.kind) {
    case 'session':
      return input.verb;
    case 'flag':
      return 'flag';
    case 'penalty':
      return 'penalty';
    case 'note':
      return 'note';
    default:
      return 'correction';
  }
}

const FLAG_WORDS: Record<string, string> = {
  green: 'green flag', yellow: 'local yellow', fcy: 'full-course yellow', 'safety-car': 'safety car', 'code-60': 'code 60',
  red: 'red flag', white: 'white flag (last lap)', checkered: 'checkered flag',
};

const seconds = (us: number) => `${+(us / 1e6).toFixed(3)} s`;

/** A race time as timing screens show it: `m:ss.mmm`, `h:mm:ss.mmm` from an hour on. */
function raceTime(us: number): string {
  const ms = Math.round(Math.max(0, us) / 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The log line, in words (a passing's time as race time when the session has started). */
export function describe(input: SessionInput, startUs?: number): string {
  switch (input.kind) {
    case 'session':
      return { open: 'Session opened', start: 'Session started', finish: 'Session finished', official: 'Results made official' }[input.verb];
    case 'flag':
      return `${FLAG_WORDS[input.flag] ?? input.flag}${input.sector === undefined ? '' : ` in sector ${input.sector}`}`.replace(/^./, (c) => c.toUpperCase());
    case 'penalty': {
      const what = input.type === 'time' || (!input.type && input.timeUs) ? `time penalty +${seconds(input.timeUs ?? 0)}`
        : input.type === 'laps' || (!input.type && input.laps) ? `${input.laps} lap${input.laps === 1 ? '' : 's'} penalty`
        : input.type === 'dsq' ? 'disqualified' : input.type ?? 'penalty';
      return `#${input.car}: ${what}`;
    }
    case 'note':
      return input.text;
    case 'correction':
      return `#${input.car}: passing ${input.laps > 0 ? 'added' : 'removed'}${Math.abs(input.laps) === 1 ? '' : ` (${input.laps} laps)`}`;
    case 'class':
      return `#${input.car}: moved to class ${input.class}`;
    case 'reassign':
      return `Passing of #${input.car} credited to #${input.to}`;
    case 'passing-edit': {
      const at = startUs === undefined ? `${input.passingAtUs} µs` : raceTime(input.passingAtUs - startUs);
      return input.edit === 'move' ? `#${input.car}: passing at ${at} credited to #${input.to}` : `#${input.car}: passing ${input.edit === 'add' ? 'added' : 'removed'} at ${at}`;
    }
    case 'status':
      return `#${input.car}: ${input.status.toUpperCase()}`;
    default:
      return input.kind;
  }
}

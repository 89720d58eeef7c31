import type { SessionInput } from '../../actors/contracts/events.ts';
import { FLAGS } from '../../actors/contracts/flags.ts';
import {
  CORRECTION_TYPES, PENALTY_TYPES, type CommandVerb, type ControlStamp, type RefusalCode,
} from '../../actors/contracts/race-control.ts';
import type { TimingKind } from '../../actors/contracts/subjects.ts';
import { passingNear } from '../../actors/scoring/history.ts';
import type { ScoringState } from '../../actors/scoring/state.ts';

/**
 * A command's arguments → the session input it becomes, checked against the declaration and the scores (pure). The
 * machines' verdict (flag and session moves) is the actor's (`refusal`); who may send it is command-authorize.ts.
 */
export type Translated = { ok: true; input: SessionInput; kind: TimingKind } | { ok: false; code: RefusalCode; reason: string };

const refuse = (code: RefusalCode, reason: string): Translated => ({ ok: false, code, reason });
const MAX_TEXT = 500;
const MAX_PENALTY_MS = 3_600_000;
const MAX_PENALTY_LAPS = 100;

const isPositiveInt = (v: unknown, max: number): v is number => Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= max;

export function translateCommand(verb: CommandVerb, args: Record<string, unknown>, at: { atUs: number; control: ControlStamp }, scores: ScoringState): Translated {
  const base = { atUs: at.atUs, control: at.control };
  const entries = scores.declared?.entries ?? [];
  const car = (name: string): string | Translated => {
    const number = args[name];
    if (typeof number !== 'string' || number === '') return refuse('bad_request', `${name}: a car number (string) is needed`);
    if (!entries.some((e) => e.number === number)) return refuse('unknown_car', `car #${number} is not entered in this session`);
    return number;
  };
  const laps = (number: string) => scores.cars[number]?.laps ?? 0;

  switch (verb) {
    case 'open':
    case 'start':
    case 'finish':
    case 'official':
      return { ok: true, kind: 'session', input: { ...base, kind: 'session', verb } };
    case 'flag': {
      const { flag, sector } = args;
      if (typeof flag !== 'string' || flag === 'none' || !(FLAGS as readonly string[]).includes(flag)) {
        return refuse('bad_request', `flag: one of ${FLAGS.filter((f) => f !== 'none').join(', ')}`);
      }
      if (sector !== undefined && (flag !== 'yellow' || !isPositiveInt(sector, 1000))) {
        return refuse('bad_request', 'sector: a positive integer, with flag yellow only (a local yellow)');
      }
      const input = { ...base, kind: 'flag' as const, flag: flag as (typeof FLAGS)[number], ...(sector !== undefined && { sector: sector as number }) };
      return { ok: true, kind: 'flag', input };
    }
    case 'penalty': {
      const number = car('car');
      if (typeof number !== 'string') return number;
      const { type, timeMs, laps: lapCount } = args;
      if (typeof type !== 'string' || !(PENALTY_TYPES as readonly string[]).includes(type)) return refuse('bad_request', `type: one of ${PENALTY_TYPES.join(', ')}`);
      if (type === 'time' && !isPositiveInt(timeMs, MAX_PENALTY_MS)) return refuse('bad_request', `timeMs: a time penalty needs a whole number of ms, 1 to ${MAX_PENALTY_MS}`);
      if (type === 'laps' && !isPositiveInt(lapCount, MAX_PENALTY_LAPS)) return refuse('bad_request', `laps: a lap penalty needs 1 to ${MAX_PENALTY_LAPS} laps`);
      if (type === 'dsq' && scores.cars[number]?.status === 'dsq') return refuse('not_allowed', `car #${number} is already disqualified`);
      const input = {
        ...base, kind: 'penalty' as const, car: number, type: type as (typeof PENALTY_TYPES)[number],
        ...(type === 'time' && { timeUs: (timeMs as number) * 1000 }),
        ...(type === 'laps' && { laps: lapCount as number }),
      };
      return { ok: true, kind: 'penalty', input };
    }
    case 'note': {
      const { text } = args;
      if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT) return refuse('bad_request', `text: 1 to ${MAX_TEXT} characters`);
      return { ok: true, kind: 'control', input: { ...base, kind: 'note', text: text.trim() } };
    }
    case 'correction':
      return correction(args, base, car, laps, scores);
  }
}

function correction(args: Record<string, unknown>, base: { atUs: number; control: ControlStamp }, car: (name: string) => string | Translated,
  laps: (number: string) => number, scores: ScoringState): Translated {
  const { type } = args;
  if (typeof type !== 'string' || !(CORRECTION_TYPES as readonly string[]).includes(type)) return refuse('bad_request', `type: one of ${CORRECTION_TYPES.join(', ')}`);
  const number = car('car');
  if (typeof number !== 'string') return number;
  switch (type) {
    case 'add-passing': {
      if (args.raceMs === undefined) return { ok: true, kind: 'correction', input: { ...base, kind: 'correction', car: number, laps: 1 } };
      const at = raceTime(args.raceMs, scores);
      if (typeof at !== 'number') return at;
      return { ok: true, kind: 'correction', input: { ...base, kind: 'passing-edit', edit: 'add', car: number, passingAtUs: at } };
    }
    case 'remove-passing': {
      const at = heldPassing(number, args.raceMs, scores);
      if (typeof at === 'number') return { ok: true, kind: 'correction', input: { ...base, kind: 'passing-edit', edit: 'remove', car: number, passingAtUs: at } };
      if (at) return at;
      if (laps(number) <= 0) return refuse('not_allowed', `car #${number} has no counted passing to remove`);
      return { ok: true, kind: 'correction', input: { ...base, kind: 'correction', car: number, laps: -1 } };
    }
    case 'change-class': {
      const cls = args.class;
      const declared = scores.declared?.classes ?? [];
      if (typeof cls !== 'string' || cls === '') return refuse('bad_request', 'class: the id of a declared class');
      if (!declared.some((c) => c.id === cls)) return refuse('unknown_class', `class ${cls} is not declared (${declared.map((c) => c.id).join(', ')})`);
      const now = scores.cars[number]?.class ?? scores.declared?.entries.find((e) => e.number === number)?.class;
      if (now === cls) return refuse('not_allowed', `car #${number} is in class ${cls} already`);
      return { ok: true, kind: 'correction', input: { ...base, kind: 'class', car: number, class: cls } };
    }
    default: {
      // fix-number: one passing counted for `car` was another car's (a misread transponder, a mistyped number).
      const to = car('to');
      if (typeof to !== 'string') return to;
      if (to === number) return refuse('bad_request', 'to: another car than car');
      const at = heldPassing(number, args.raceMs, scores);
      if (typeof at === 'number') return { ok: true, kind: 'correction', input: { ...base, kind: 'passing-edit', edit: 'move', car: number, to, passingAtUs: at } };
      if (at) return at;
      if (laps(number) <= 0) return refuse('not_allowed', `car #${number} has no counted passing to give to #${to}`);
      return { ok: true, kind: 'correction', input: { ...base, kind: 'reassign', car: number, to } };
    }
  }
}

const MAX_RACE_MS = 7 * 24 * 3_600_000;

/** `raceMs` as an absolute time on the session's clock: a time since the start, not after the clock. */
function raceTime(raceMs: unknown, scores: ScoringState): number | Translated {
  const { startUs, nowUs } = scores;
  if (typeof raceMs !== 'number' || !Number.isFinite(raceMs) || raceMs < 0 || raceMs > MAX_RACE_MS) {
    return refuse('bad_request', 'raceMs: the passing\'s race time, in ms since the session start');
  }
  if (startUs === undefined) return refuse('not_allowed', 'the session has not started: passings have no race time yet');
  const at = startUs + Math.round(raceMs * 1000);
  if (at > (nowUs ?? startUs)) return refuse('not_allowed', `raceMs: ${raceMs} is after the session clock (${Math.floor(((nowUs ?? startUs) - startUs) / 1000)} ms)`);
  return at;
}

/**
 * The passing a remove or a fix-number names: the car's passing within 1 ms of `raceMs`, or without it the car's last
 * counted crossing when that was a passing the session holds. Undefined: no time given and no such passing (a car
 * whose laps came from a feed's seed) — the command then changes the lap count only.
 */
function heldPassing(number: string, raceMs: unknown, scores: ScoringState): number | Translated | undefined {
  if (raceMs === undefined) {
    const last = scores.cars[number]?.lastAtUs;
    return last === undefined ? undefined : passingNear(scores.history, number, last);
  }
  const at = raceTime(raceMs, scores);
  if (typeof at !== 'number') return at;
  return passingNear(scores.history, number, at, 1000)
    ?? refuse('not_allowed', `car #${number} has no passing within 1 ms of race time ${raceMs} ms`);
}

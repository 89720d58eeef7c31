import type { SessionInput } from './contracts/events.ts';
import { FLAGS } from './contracts/flags.ts';
import { PENALTY_TYPES } from './contracts/race-control.ts';

/**
 * The shape check the session actor applies to every input before it touches state: inputs arrive as JSON from
 * stream RACE, and an actor never dies from one bad message (DESIGN §2.4) — a malformed input is counted instead.
 * It checks what the actor and the reducer read, not every field of a declaration (engine/declarations validates).
 */
export function isSessionInput(value: unknown): value is SessionInput {
  if (!isObject(value) || !isTime(value.atUs) || !isControl(value.control)) return false;
  if (value.kind !== 'passing' && value.reading !== undefined && !isReading(value.reading)) return false;
  switch (value.kind) {
    case 'declaration': {
      const d = value.declaration;
      return isObject(d) && typeof d.track === 'string' && typeof d.event === 'string'
        && Array.isArray(d.sessions) && d.sessions.every(isSession)
        && Array.isArray(d.classes) && Array.isArray(d.entries) && d.entries.every(isEntry);
    }
    case 'session':
      return value.verb === 'open' || value.verb === 'start' || value.verb === 'finish' || value.verb === 'official';
    case 'flag':
      return (FLAGS as readonly unknown[]).includes(value.flag) && (value.sector === undefined || Number.isInteger(value.sector));
    case 'tick':
      return true;
    case 'passing':
      return typeof value.car === 'string' && isReading(value.reading);
    case 'crossing':
      return isCar(value.car) && isTime(value.raceUs) && isTime(value.lapUs) && (value.lapUs as number) >= 0;
    case 'seed':
      return isCar(value.car) && Number.isSafeInteger(value.laps) && isTime(value.raceUs);
    case 'line':
      return isCar(value.car) && typeof value.line === 'string' && (LOOPS as readonly unknown[]).includes(value.loop);
    case 'penalty':
      return isCar(value.car) && (value.type === undefined || (PENALTY_TYPES as readonly unknown[]).includes(value.type)) && (value.timeUs === undefined || isTime(value.timeUs)) && (value.laps === undefined || Number.isSafeInteger(value.laps));
    case 'agreement':
      return [value.rows, value.disagreements, value.rule].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    case 'correction':
      return isCar(value.car) && Number.isSafeInteger(value.laps);
    case 'class':
      return isCar(value.car) && typeof value.class === 'string' && value.class !== '';
    case 'status':
      return isCar(value.car) && (STATUSES as readonly unknown[]).includes(value.status);
    case 'program':
      return isCar(value.car) && (value.board === 'race' || value.board === 'best') && Number.isSafeInteger(value.position)
        && (value.laps === undefined || Number.isSafeInteger(value.laps)) && (value.timeUs === undefined || isTime(value.timeUs));
    case 'note':
      return typeof value.text === 'string';
    case 'reassign':
      return isCar(value.car) && isCar(value.to);
    case 'passing-edit':
      return isCar(value.car) && isTime(value.passingAtUs) && (value.edit === 'remove' || value.edit === 'add' || (value.edit === 'move' && isCar(value.to)));
    default:
      return false;
  }
}

/** Absent, or who gave a race-control input. */
function isControl(c: unknown): boolean {
  return c === undefined || (isObject(c) && typeof c.id === 'string' && typeof c.by === 'string' && typeof c.org === 'string'
    && isTime(c.atMs) && (c.why === undefined || typeof c.why === 'string'));
}

const LOOPS = ['sf-track', 'sf-pit', 'pit-in', 'pit-out', 'other'] as const;
const STATUSES = ['running', 'dns', 'dnf', 'dsq'] as const;
const isCar = (v: unknown) => typeof v === 'string' && v !== '';

const isReading = (r: unknown) => isObject(r) && typeof r.device === 'string' && typeof r.boot === 'string' && Number.isInteger(r.seq);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown) => Number.isSafeInteger(v);

function isSession(s: unknown): boolean {
  if (!isObject(s) || typeof s.id !== 'string' || typeof s.name !== 'string' || !isObject(s.finish)) return false;
  const f = s.finish;
  return (typeof f.laps === 'number' && f.laps > 0) || (typeof f.timeMs === 'number' && f.timeMs > 0);
}

function isEntry(e: unknown): boolean {
  return isObject(e) && typeof e.number === 'string' && typeof e.name === 'string' && typeof e.class === 'string';
}

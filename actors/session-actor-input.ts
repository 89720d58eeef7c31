import type { SessionInput } from './contracts/events.ts';
import { FLAGS } from './contracts/flags.ts';

/**
 * The shape check the session actor applies to every input before it touches state: inputs arrive as JSON from
 * stream RACE, and an actor never dies from one bad message (DESIGN §2.4) — a malformed input is counted instead.
 * It checks what the actor and the reducer read, not every field of a declaration (engine/declarations validates).
 */
export function isSessionInput(value: unknown): value is SessionInput {
  if (!isObject(value) || !isTime(value.atUs)) return false;
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
    case 'passing': {
      const r = value.reading;
      return typeof value.car === 'string' && isObject(r) && typeof r.device === 'string' && typeof r.boot === 'string'
        && Number.isInteger(r.seq);
    }
    default:
      return false;
  }
}

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

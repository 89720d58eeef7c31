import type { EventDeclaration, FinishRule } from '../../actors/contracts/declaration.ts';

/** A declaration that does not hold together; `problems` lists every one of them, each with its path. */
export class DeclarationError extends Error {
  override name = 'DeclarationError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: invalid event declaration:\n  - ${problems.join('\n  - ')}`);
  }
}

const SLUG = /^[a-z0-9-]+$/;
const SESSION_TYPES = ['practice', 'qualifying', 'race'];
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an untrusted value (parsed JSON or YAML) against the declaration format of docs/event-format.md and returns
 * it typed, or throws a DeclarationError naming every problem (not only the first).
 */
export function validateDeclaration(value: unknown, source = 'declaration'): EventDeclaration {
  const problems: string[] = [];
  const need = (ok: boolean, problem: string) => ok || problems.push(problem);
  const slug = (v: unknown, at: string) => need(typeof v === 'string' && SLUG.test(v), `${at} must be a slug [a-z0-9-]+`);
  const text = (v: unknown, at: string) => need(typeof v === 'string' && v.length > 0, `${at} must be a non-empty string`);
  const list = (v: unknown, at: string): unknown[] => (need(Array.isArray(v), `${at} must be a list`) && Array.isArray(v) ? v : []);

  if (!isObj(value)) throw new DeclarationError(source, ['the declaration must be an object']);
  slug(value.track, 'track');
  slug(value.event, 'event');
  text(value.name, 'name');
  if (value.timeZone !== undefined) text(value.timeZone, 'timeZone');

  const classIds = new Set<string>();
  list(value.classes, 'classes').forEach((c, i) => {
    const at = `classes[${i}]`;
    if (!isObj(c)) return need(false, `${at} must be an object`);
    slug(c.id, `${at}.id`);
    text(c.name, `${at}.name`);
    need(!classIds.has(String(c.id)), `${at}.id '${String(c.id)}' is declared twice`);
    classIds.add(String(c.id));
  });

  const sessionIds = new Set<string>();
  list(value.sessions, 'sessions').forEach((s, i) => {
    const at = `sessions[${i}]`;
    if (!isObj(s)) return need(false, `${at} must be an object`);
    slug(s.id, `${at}.id`);
    text(s.name, `${at}.name`);
    need(SESSION_TYPES.includes(String(s.type)), `${at}.type must be one of ${SESSION_TYPES.join(', ')}`);
    need(isFinishRule(s.finish), `${at}.finish must be {laps: N} or {timeMs: N} with a positive integer`);
    need(!sessionIds.has(String(s.id)), `${at}.id '${String(s.id)}' is declared twice`);
    sessionIds.add(String(s.id));
  });

  const numbers = new Set<string>();
  const transponders = new Map<string, string>();
  list(value.entries, 'entries').forEach((e, i) => {
    const at = `entries[${i}]`;
    if (!isObj(e)) return need(false, `${at} must be an object`);
    need(typeof e.number === 'string' && /^[A-Za-z0-9]{1,6}$/.test(e.number), `${at}.number must be a string of 1-6 letters or digits (quote it: "05" is not 5)`);
    text(e.name, `${at}.name`);
    need(classIds.has(String(e.class)), `${at}.class '${String(e.class)}' is not a declared class`);
    need(!numbers.has(String(e.number)), `${at}.number '${String(e.number)}' is declared twice`);
    numbers.add(String(e.number));
    if (e.transponder !== undefined) {
      text(e.transponder, `${at}.transponder`);
      const owner = transponders.get(String(e.transponder));
      need(!owner, `${at}.transponder '${String(e.transponder)}' already belongs to car ${owner}`);
      transponders.set(String(e.transponder), String(e.number));
    }
    if (e.team !== undefined) text(e.team, `${at}.team`);
  });

  if (problems.length > 0) throw new DeclarationError(source, problems);
  return value as unknown as EventDeclaration;
}

function isFinishRule(v: unknown): v is FinishRule {
  if (!isObj(v)) return false;
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  const keys = Object.keys(v);
  return keys.length === 1 && (('laps' in v && positive(v.laps)) || ('timeMs' in v && positive(v.timeMs)));
}

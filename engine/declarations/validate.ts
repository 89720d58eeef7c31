import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { createChecks, isObj, type Checks } from './checks.ts';

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

const SESSION_TYPES = ['practice', 'qualifying', 'race'];
const START_TYPES = ['standing', 'rolling', 'individual'];
const LINE_KINDS = ['start-finish', 'pit-in', 'pit-out', 'sector'];

const TOP_FIELDS = ['track', 'event', 'name', 'timeZone', 'classes', 'sessions', 'entries', 'timingLines', 'marks', 'gps', 'private', 'org'];
const CLASS_FIELDS = ['id', 'name'];
const SESSION_FIELDS = ['id', 'name', 'type', 'finish', 'classes', 'start', 'bestLap', 'minLapMs'];
const BEST_LAP_FIELDS = ['excludeYellow', 'excludeLap1', 'excludePit'];
const ENTRY_FIELDS = ['number', 'name', 'class', 'transponder', 'transponders', 'chips', 'lane', 'carId', 'riderDevice', 'team', 'drivers'];
const LINE_FIELDS = ['id', 'kind', 'loop', 'points'];
const MARK_FIELDS = ['id', 'name', 'lat', 'lon'];
const GPS_FIELDS = ['maxSpeedMps'];

/**
 * Checks an untrusted value (parsed JSON or YAML) against the declaration format of docs/event-format.md and returns
 * it typed, or throws a DeclarationError naming every problem (not only the first). Beyond the shape (which
 * docs/event.schema.json describes too) it checks what a schema cannot: references (entry and session classes) and
 * uniqueness (ids, numbers, and every identifier a reading can carry: transponders, chips, lanes, car ids, devices).
 */
export function validateDeclaration(value: unknown, source = 'declaration'): EventDeclaration {
  if (!isObj(value)) throw new DeclarationError(source, ['the declaration must be an object']);
  const c = createChecks();
  c.known(value, TOP_FIELDS, '');
  c.slug(value.track, 'track');
  c.slug(value.event, 'event');
  c.text(value.name, 'name');
  if (value.timeZone !== undefined) {
    c.need(typeof value.timeZone === 'string' && isTimeZone(value.timeZone), 'timeZone must be an IANA time zone (e.g. Europe/London)');
  }
  if (value.private !== undefined) c.need(typeof value.private === 'boolean', 'private must be true or false');
  if (value.org !== undefined) c.slug(value.org, 'org');

  const classIds = new Set<string>();
  c.list(value.classes, 'classes').forEach((cl, i) => {
    const at = `classes[${i}]`;
    if (!c.object(cl, at)) return;
    c.known(cl, CLASS_FIELDS, at);
    c.slug(cl.id, `${at}.id`);
    c.text(cl.name, `${at}.name`);
    c.unique(classIds, cl.id, `${at}.id`);
  });

  const sessionIds = new Set<string>();
  c.list(value.sessions, 'sessions').forEach((s, i) => {
    const at = `sessions[${i}]`;
    if (!c.object(s, at)) return;
    c.known(s, SESSION_FIELDS, at);
    c.slug(s.id, `${at}.id`);
    c.text(s.name, `${at}.name`);
    c.need(SESSION_TYPES.includes(String(s.type)), `${at}.type must be one of ${SESSION_TYPES.join(', ')}`);
    finishRule(c, s.finish, `${at}.finish`);
    c.unique(sessionIds, s.id, `${at}.id`);
    if (s.classes !== undefined) {
      const seen = new Set<string>();
      c.list(s.classes, `${at}.classes`).forEach((id, j) => {
        c.need(classIds.has(String(id)), `${at}.classes[${j}] '${String(id)}' is not a declared class`);
        c.unique(seen, id, `${at}.classes[${j}]`);
      });
    }
    if (s.start !== undefined) c.need(START_TYPES.includes(String(s.start)), `${at}.start must be one of ${START_TYPES.join(', ')}`);
    if (s.bestLap !== undefined && c.object(s.bestLap, `${at}.bestLap`)) {
      c.known(s.bestLap, BEST_LAP_FIELDS, `${at}.bestLap`);
      for (const f of BEST_LAP_FIELDS) {
        const v = s.bestLap[f];
        if (v !== undefined) c.need(typeof v === 'boolean', `${at}.bestLap.${f} must be true or false`);
      }
    }
    if (s.minLapMs !== undefined) c.positive(s.minLapMs, `${at}.minLapMs`);
  });

  entries(c, value.entries, classIds);
  if (value.timingLines !== undefined) timingLines(c, value.timingLines);
  if (value.marks !== undefined) marks(c, value.marks);
  if (value.gps !== undefined && c.object(value.gps, 'gps')) {
    c.known(value.gps, GPS_FIELDS, 'gps');
    const v = value.gps.maxSpeedMps;
    if (v !== undefined) c.need(typeof v === 'number' && Number.isFinite(v) && v > 0, 'gps.maxSpeedMps must be a positive number (m/s)');
  }

  if (c.problems.length > 0) throw new DeclarationError(source, c.problems);
  return value as unknown as EventDeclaration;
}

function finishRule(c: Checks, v: unknown, at: string): void {
  const message = `${at} must be {laps: N}, {timeMs: N} or {timeMs: N, thenLeaderLap: true|false} with a positive integer N`;
  if (!isObj(v)) return void c.need(false, message);
  const keys = Object.keys(v).sort().join(',');
  const positive = (n: unknown) => Number.isSafeInteger(n) && (n as number) > 0;
  const ok =
    (keys === 'laps' && positive(v.laps)) ||
    (keys === 'timeMs' && positive(v.timeMs)) ||
    (keys === 'thenLeaderLap,timeMs' && positive(v.timeMs) && typeof v.thenLeaderLap === 'boolean');
  c.need(ok, message);
}

function entries(c: Checks, value: unknown, classIds: Set<string>): void {
  const numbers = new Set<string>();
  // Every identifier a reading can carry maps to one car only.
  const owners = { transponder: new Map<string, string>(), chip: new Map<string, string>(), lane: new Map<string, string>(), carId: new Map<string, string>(), riderDevice: new Map<string, string>() };
  const own = (kind: keyof typeof owners, id: unknown, number: string, at: string) => {
    const owner = owners[kind].get(String(id));
    c.need(owner === undefined, `${at} '${String(id)}' already belongs to car ${owner}`);
    if (owner === undefined) owners[kind].set(String(id), number);
  };
  c.list(value, 'entries').forEach((e, i) => {
    const at = `entries[${i}]`;
    if (!c.object(e, at)) return;
    c.known(e, ENTRY_FIELDS, at);
    c.need(typeof e.number === 'string' && /^[A-Za-z0-9]{1,6}$/.test(e.number), `${at}.number must be a string of 1-6 letters or digits (quote it: "05" is not 5)`);
    c.text(e.name, `${at}.name`);
    c.need(classIds.has(String(e.class)), `${at}.class '${String(e.class)}' is not a declared class`);
    c.need(!numbers.has(String(e.number)), `${at}.number '${String(e.number)}' is declared twice`);
    numbers.add(String(e.number));
    const number = String(e.number);
    if (e.transponder !== undefined && c.text(e.transponder, `${at}.transponder`)) own('transponder', e.transponder, number, `${at}.transponder`);
    for (const [field, kind] of [['transponders', 'transponder'], ['chips', 'chip']] as const) {
      if (e[field] === undefined) continue;
      c.list(e[field], `${at}.${field}`).forEach((id, j) => {
        if (c.text(id, `${at}.${field}[${j}]`)) own(kind, id, number, `${at}.${field}[${j}]`);
      });
    }
    if (e.lane !== undefined && c.positive(e.lane, `${at}.lane`)) own('lane', e.lane, number, `${at}.lane`);
    if (e.carId !== undefined && c.text(e.carId, `${at}.carId`)) own('carId', e.carId, number, `${at}.carId`);
    if (e.riderDevice !== undefined && c.text(e.riderDevice, `${at}.riderDevice`)) own('riderDevice', e.riderDevice, number, `${at}.riderDevice`);
    if (e.team !== undefined) c.text(e.team, `${at}.team`);
    if (e.drivers !== undefined) c.list(e.drivers, `${at}.drivers`).forEach((d, j) => c.text(d, `${at}.drivers[${j}]`));
  });
}

function timingLines(c: Checks, value: unknown): void {
  const ids = new Set<string>();
  let startFinish: string | undefined;
  c.list(value, 'timingLines').forEach((l, i) => {
    const at = `timingLines[${i}]`;
    if (!c.object(l, at)) return;
    c.known(l, LINE_FIELDS, at);
    c.slug(l.id, `${at}.id`);
    c.unique(ids, l.id, `${at}.id`);
    c.need(LINE_KINDS.includes(String(l.kind)), `${at}.kind must be one of ${LINE_KINDS.join(', ')}`);
    if (l.kind === 'start-finish') {
      c.need(startFinish === undefined, `${at} is a second start-finish line (the first is '${startFinish}')`);
      startFinish ??= String(l.id);
    }
    if (l.loop !== undefined) c.text(l.loop, `${at}.loop`);
    if (l.points !== undefined) {
      const ok = c.need(isTwoPoints(l.points), `${at}.points must be two [lat, lon] points (lat -90..90, lon -180..180)`);
      if (ok) c.need(String((l.points as unknown[])[0]) !== String((l.points as unknown[])[1]), `${at}.points are the same point: a line needs two`);
    }
  });
}

/** Course marks for the live map: unique slug ids, a position each. */
function marks(c: Checks, value: unknown): void {
  const ids = new Set<string>();
  c.list(value, 'marks').forEach((m, i) => {
    const at = `marks[${i}]`;
    if (!c.object(m, at)) return;
    c.known(m, MARK_FIELDS, at);
    c.slug(m.id, `${at}.id`);
    c.unique(ids, m.id, `${at}.id`);
    if (m.name !== undefined) c.text(m.name, `${at}.name`);
    c.need(isTwoPoints([[m.lat, m.lon], [m.lat, m.lon]]), `${at} needs lat (-90..90) and lon (-180..180) as numbers`);
  });
}

function isTwoPoints(v: unknown): boolean {
  const point = (p: unknown) =>
    Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'number'
    && Math.abs(p[0]) <= 90 && Math.abs(p[1]) <= 180;
  return Array.isArray(v) && v.length === 2 && v.every(point);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

import type { RmonErrorKind, RmonFlag, RmonRecord, RmonTrackSection } from '../../actors/contracts/rmonitor.ts';
import { RmonitorParseError } from './errors.ts';
import { quote, splitFields } from './fields.ts';
import { parseRmonInt, parseRmonTime } from './time.ts';

/**
 * RMonitor codec: one line (without its line ending) ⇄ one typed record (actors/contracts/rmonitor.ts).
 *
 * Records are described by a field list each, used both ways, so parse and encode cannot drift apart. The parser never
 * throws: it returns a record or an RmonitorParseError. Unknown commands are records of type 'unknown'.
 * encodeRecord(parseLine(l)) is the spec's canonical form of l (quotes on text, none on numbers), and parsing it
 * again gives the same record: the round trip the tests check on every shared capture.
 */

type FieldSpec =
  | { key: string; kind: 'text' } // quoted text
  | { key: string; kind: 'bare' } // unquoted text kept as sent ($A transponder)
  | { key: string; kind: 'int'; required?: true } // unquoted integer, null when empty
  | { key: string; kind: 'time'; us: string } // quoted time, raw string + µs
  | { key: string; kind: 'flag'; flag: string }; // quoted flag, raw + normalised

interface RecordSpec {
  fields: FieldSpec[];
  /** Fields that may be missing at the end (older $L feeds lack driver id and class). */
  optionalTail?: number;
}

const text = (key: string): FieldSpec => ({ key, kind: 'text' });
const int = (key: string): FieldSpec => ({ key, kind: 'int' });
const reqInt = (key: string): FieldSpec => ({ key, kind: 'int', required: true });
const time = (key: string, us: string): FieldSpec => ({ key, kind: 'time', us });

const SPECS: Record<string, RecordSpec> = {
  F: { fields: [int('lapsToGo'), time('timeToGo', 'timeToGoUs'), time('timeOfDay', 'timeOfDayUs'), time('raceTime', 'raceUs'), { key: 'flagRaw', kind: 'flag', flag: 'flag' }] },
  A: { fields: [text('regNo'), text('number'), { key: 'transponder', kind: 'bare' }, text('firstName'), text('lastName'), text('nationality'), int('classId')] },
  COMP: { fields: [text('regNo'), text('number'), int('classId'), text('firstName'), text('lastName'), text('nationality'), text('additional')] },
  B: { fields: [reqInt('run'), text('description')] },
  C: { fields: [reqInt('classId'), text('description')] },
  E: { fields: [text('name'), text('value')] },
  G: { fields: [reqInt('position'), text('regNo'), int('laps'), time('totalTime', 'raceUs')] },
  H: { fields: [reqInt('position'), text('regNo'), int('bestLap'), time('bestLapTime', 'lapUs')] },
  I: { fields: [time('timeOfDay', 'timeOfDayUs'), text('date')] },
  J: { fields: [text('regNo'), time('lapTime', 'lapUs'), time('totalTime', 'raceUs')] },
  COR: { fields: [text('regNo'), text('number'), int('laps'), time('totalTime', 'raceUs'), time('correction', 'correctionUs')] },
  L: { fields: [text('number'), text('line'), text('lineName'), text('date'), time('time', 'timeOfDayUs'), int('driverId'), text('className')], optionalTail: 2 },
  RMS: { fields: [text('sortMode')] },
  RMHL: { fields: [text('regNo'), int('lap'), int('position'), time('lapTime', 'lapUs'), { key: 'flagRaw', kind: 'flag', flag: 'flag' }, time('totalTime', 'raceUs')] },
};

/** `$T` head fields before the sections; each section is 4 fields. */
const TRACK_HEAD = 4;

export function normaliseFlag(raw: string): RmonFlag {
  switch (raw.trim().toLowerCase()) {
    case 'green': return 'green';
    case 'yellow': return 'yellow';
    case 'red': return 'red';
    case 'finish': return 'finish';
    case '': return 'none';
    default: return 'other';
  }
}

const COMMAND = /^\$([A-Za-z][A-Za-z0-9]*)(?=,|$)/;

/** Parses one line (no line ending). `lineNo` goes into the error for the log. Never throws. */
export function parseLine(line: string, lineNo: number): RmonRecord | RmonitorParseError {
  const fail = (kind: RmonErrorKind, detail: string) => new RmonitorParseError(kind, lineNo, line, detail);
  const m = COMMAND.exec(line);
  if (!m) return fail('not-a-record', `expected $<command>, got ${JSON.stringify(line.slice(0, 20))}`);
  const code = m[1]!;
  const spec = SPECS[code];
  if (code !== 'T' && !spec) return { type: 'unknown', code, raw: line };
  const rest = line.slice(m[0].length);
  const split = rest === '' ? { ok: true as const, fields: [] } : splitFields(rest.slice(1));
  if (!split.ok) return fail('unterminated-quote', `quote at column ${m[0].length + 1 + split.at + 1} is not closed`);
  const fields = split.fields;
  if (code === 'T') return parseTrack(fields, fail);
  const need = spec!.fields.length - (spec!.optionalTail ?? 0);
  if (fields.length < need) return fail('field-count', `$${code} needs ${need} fields, got ${fields.length}`);
  const record: Record<string, unknown> = { type: code };
  const n = Math.min(fields.length, spec!.fields.length);
  for (let i = 0; i < n; i++) {
    const f = spec!.fields[i]!;
    const value = fields[i]!;
    switch (f.kind) {
      case 'text':
      case 'bare':
        record[f.key] = value;
        break;
      case 'int': {
        const v = parseRmonInt(value);
        if (v === undefined || (v === null && f.required)) return fail('bad-number', `field ${i + 1} (${f.key}) is not an integer: ${JSON.stringify(value)}`);
        record[f.key] = v;
        break;
      }
      case 'time': {
        const v = parseRmonTime(value);
        if (v === undefined) return fail('bad-time', `field ${i + 1} (${f.key}) is not a time: ${JSON.stringify(value)}`);
        record[f.key] = value;
        record[f.us] = v;
        break;
      }
      case 'flag':
        record[f.key] = value;
        record[f.flag] = normaliseFlag(value);
        break;
    }
  }
  if (fields.length > spec!.fields.length) record.extra = fields.slice(spec!.fields.length);
  return record as unknown as RmonRecord;
}

function parseTrack(fields: string[], fail: (kind: RmonErrorKind, detail: string) => RmonitorParseError): RmonRecord | RmonitorParseError {
  if (fields.length < TRACK_HEAD) return fail('field-count', `$T needs ${TRACK_HEAD} fields, got ${fields.length}`);
  const count = parseRmonInt(fields[3]!);
  if (count === undefined || count === null || count < 0) return fail('bad-number', `$T section count is not an integer: ${JSON.stringify(fields[3])}`);
  const need = TRACK_HEAD + 4 * count;
  if (fields.length < need) return fail('field-count', `$T with ${count} sections needs ${need} fields, got ${fields.length}`);
  const sections: RmonTrackSection[] = [];
  for (let s = 0; s < count; s++) {
    const at = TRACK_HEAD + 4 * s;
    const inches = parseRmonInt(fields[at + 3]!);
    if (inches === undefined) return fail('bad-number', `$T section ${s + 1} distance is not an integer: ${JSON.stringify(fields[at + 3])}`);
    sections.push({ name: fields[at]!, start: fields[at + 1]!, end: fields[at + 2]!, inches });
  }
  return {
    type: 'T',
    name: fields[0]!,
    shortName: fields[1]!,
    distance: fields[2]!,
    sectionCount: count,
    sections,
    ...(fields.length > need ? { extra: fields.slice(need) } : {}),
  };
}

/** One record → one line in the spec's form (no line ending). */
export function encodeRecord(record: RmonRecord): string {
  if (record.type === 'unknown') return record.raw;
  const out: string[] = [`$${record.type}`];
  const r = record as unknown as Record<string, unknown>;
  if (record.type === 'T') {
    out.push(quote(record.name), quote(record.shortName), quote(record.distance), String(record.sectionCount));
    for (const s of record.sections) out.push(quote(s.name), quote(s.start), quote(s.end), s.inches === null ? '' : String(s.inches));
  } else {
    const spec = SPECS[record.type]!;
    for (const f of spec.fields) {
      const value = r[f.key];
      if (value === undefined) break; // an absent optional tail
      if (f.kind === 'int') out.push(value === null ? '' : String(value));
      else if (f.kind === 'bare') out.push(/[",]|^\s|\s$/.test(String(value)) ? quote(String(value)) : String(value));
      else out.push(quote(String(value)));
    }
  }
  for (const x of record.extra ?? []) out.push(quote(x));
  return out.join(',');
}

const KNOWN = Object.keys(SPECS).concat('T').sort((a, b) => b.length - a.length).join('|');
/** A record start inside a line: `$` + a known command (or a Race Monitor `$RM…` one) + ",". */
const RECORD_START = `\\$(?:${KNOWN}|RM[A-Z]+),`;

/**
 * Splits a line that holds several records (a lost line ending glues them: `…"00:01:02.345"$G,3,…`) at each record
 * start after the first character. A known command inside a quoted name would also split; no real feed has one.
 */
export function splitMerged(line: string): string[] {
  const starts: number[] = [];
  for (const m of line.matchAll(new RegExp(RECORD_START, 'g'))) if (m.index > 0) starts.push(m.index);
  if (starts.length === 0) return [line];
  const parts: string[] = [];
  let from = 0;
  for (const s of starts) {
    parts.push(line.slice(from, s));
    from = s;
  }
  parts.push(line.slice(from));
  return parts;
}

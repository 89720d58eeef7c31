import { FLAGS } from '../../actors/contracts/flags.ts';
import { DeclarationError, validateDeclaration } from '../../engine/declarations/validate.ts';
import type { JsonlRecord } from './records.ts';

/** A line that is not a record: its 1-based line number and why. */
export interface JsonlError {
  line: number;
  problem: string;
}

export interface JsonlRead {
  records: { line: number; record: JsonlRecord }[];
  errors: JsonlError[];
  /** Lines read, blank lines not counted: records + errors. */
  lines: number;
}

const SLUG = /^[a-z0-9-]+$/;
const SESSION_TYPES = ['session.open', 'session.start', 'session.finish', 'session.official', 'clock.tick', 'flag', 'penalty', 'correction', 'status'];
const STATUSES = ['running', 'dns', 'dnf', 'dsq'];
type Obj = Record<string, unknown>;

/** Parses JSON-lines text into typed records and typed errors with line numbers; never throws on a bad line. */
export function readJsonl(text: string): JsonlRead {
  const out: JsonlRead = { records: [], errors: [], lines: 0 };
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    out.lines++;
    const result = parseJsonlLine(raw);
    if (typeof result === 'string') out.errors.push({ line: i + 1, problem: result });
    else out.records.push({ line: i + 1, record: result });
  });
  return out;
}

/** One line → a record, or the problem with it. */
export function parseJsonlLine(line: string): JsonlRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a record must be a JSON object';
  const r = v as Obj;
  if (r.type === 'declaration') {
    try {
      validateDeclaration(r.declaration, 'declaration');
      return r as unknown as JsonlRecord;
    } catch (err) {
      return err instanceof DeclarationError ? `declaration: ${err.problems.join('; ')}` : String(err);
    }
  }
  if (!Number.isSafeInteger(r.atUs) || (r.atUs as number) < 0) return 'atUs must be a non-negative integer (µs since the epoch)';
  if (r.type === 'passing') {
    const ids = (['car', 'transponder', 'chip', 'lane', 'carId'] as const).filter((k) => r[k] !== undefined);
    if (ids.length !== 1) return 'a passing needs exactly one of car, transponder, chip, lane, carId';
    const id = ids[0]!;
    if (id === 'lane' ? !(Number.isSafeInteger(r.lane) && (r.lane as number) > 0) : !(typeof r[id] === 'string' && r[id] !== '')) {
      return `${id} must be ${id === 'lane' ? 'a positive integer' : 'a non-empty string'}`;
    }
    if (r.loop !== undefined && (typeof r.loop !== 'string' || r.loop === '')) return 'loop must be a non-empty string';
    if (r.precisionUs !== undefined && !(Number.isSafeInteger(r.precisionUs) && (r.precisionUs as number) >= 0)) return 'precisionUs must be a non-negative integer';
    return r as unknown as JsonlRecord;
  }
  if (!SESSION_TYPES.includes(String(r.type))) return `unknown type ${JSON.stringify(r.type)}`;
  if (typeof r.session !== 'string' || !SLUG.test(r.session)) return 'session must be a slug [a-z0-9-]+';
  switch (r.type) {
    case 'session.open':
      return typeof r.event === 'string' && SLUG.test(r.event) ? (r as unknown as JsonlRecord) : 'event must be a slug [a-z0-9-]+';
    case 'flag':
      if (!(FLAGS as readonly unknown[]).includes(r.flag)) return `flag must be one of ${FLAGS.join(', ')}`;
      return r.sector === undefined || Number.isSafeInteger(r.sector) ? (r as unknown as JsonlRecord) : 'sector must be an integer';
    case 'penalty':
      if (typeof r.car !== 'string' || r.car === '') return 'car must be a non-empty string';
      if (r.timeUs === undefined && r.laps === undefined) return 'a penalty needs timeUs or laps';
      if (r.timeUs !== undefined && !(Number.isSafeInteger(r.timeUs) && (r.timeUs as number) > 0)) return 'timeUs must be a positive integer';
      if (r.laps !== undefined && !(Number.isSafeInteger(r.laps) && (r.laps as number) > 0)) return 'laps must be a positive integer';
      return r.reason === undefined || typeof r.reason === 'string' ? (r as unknown as JsonlRecord) : 'reason must be a string';
    case 'correction':
      if (typeof r.car !== 'string' || r.car === '') return 'car must be a non-empty string';
      return Number.isSafeInteger(r.laps) && r.laps !== 0 ? (r as unknown as JsonlRecord) : 'laps must be a non-zero integer (signed)';
    case 'status':
      if (typeof r.car !== 'string' || r.car === '') return 'car must be a non-empty string';
      return STATUSES.includes(String(r.status)) ? (r as unknown as JsonlRecord) : `status must be one of ${STATUSES.join(', ')}`;
    default:
      return r as unknown as JsonlRecord;
  }
}

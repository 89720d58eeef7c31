import type { RmonRecord } from '../../actors/contracts/rmonitor.ts';
import { parseLine, splitMerged } from './codec.ts';
import { RmonitorParseError } from './errors.ts';

/**
 * The capture format of the shared files: RMonitor lines, optionally in blocks that start with a receive timestamp
 * `##yyyy-mm-dd hh:mm:ss.fff` (UTC), optionally `|type` (`rmonitor`, or another source such as `ftcar` JSON in a mixed
 * log). Blank lines separate blocks. Lines of another type are passed through as `unknown` records with `code` = the
 * type, never parsed as RMonitor.
 *
 * Real-world damage handled: a truncated last line (parsed as what it is, usually an error), two records glued on one
 * line by a lost line ending (split, both keep the line number), a `##` header glued to a line.
 */
export interface CaptureEntry {
  /** 1-based line number in the file. */
  line: number;
  /** Receive time from the block's `##` header, µs since the Unix epoch; absent in captures without headers. */
  receivedAtUs?: number;
  /** The block's `|type`, when the header names one. */
  channel?: string;
  /** The record's text as in the file (one record of a merged line), without line ending. */
  raw: string;
  record?: RmonRecord;
  error?: RmonitorParseError;
}

const HEADER = /^##(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:\|([A-Za-z0-9_.-]+))?/;
const GLUED_HEADER = /##\d{4}-\d\d-\d\d /;

export interface CaptureParser {
  /** One line of the file (no line ending); returns its entries (none for blank and header lines). */
  line(text: string, lineNo: number): CaptureEntry[];
}

export function createCaptureParser(): CaptureParser {
  let receivedAtUs: number | undefined;
  let channel: string | undefined;

  const data = (text: string, lineNo: number): CaptureEntry[] => {
    const at = { line: lineNo, ...(receivedAtUs !== undefined ? { receivedAtUs } : {}), ...(channel ? { channel } : {}) };
    if (channel && channel !== 'rmonitor') return [{ ...at, raw: text, record: { type: 'unknown', code: channel, raw: text } }];
    return splitMerged(text).map((raw) => {
      const result = parseLine(raw, lineNo);
      return result instanceof RmonitorParseError ? { ...at, raw, error: result } : { ...at, raw, record: result };
    });
  };

  const header = (text: string, lineNo: number): CaptureEntry[] => {
    const m = HEADER.exec(text);
    if (!m) {
      return [{ line: lineNo, raw: text, error: new RmonitorParseError('bad-capture-header', lineNo, text, 'not a ##yyyy-mm-dd hh:mm:ss.fff header') }];
    }
    const [, y, mo, d, h, mi, s, frac = '', type] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    receivedAtUs = ms * 1000 + Number(frac.padEnd(6, '0'));
    channel = type;
    const rest = text.slice(m[0].length);
    return rest.trim() === '' ? [] : data(rest, lineNo);
  };

  return {
    line(text, lineNo) {
      if (text.trim() === '') return [];
      if (text.startsWith('##')) return header(text, lineNo);
      const glued = GLUED_HEADER.exec(text);
      if (glued && glued.index > 0) return [...data(text.slice(0, glued.index), lineNo), ...header(text.slice(glued.index), lineNo)];
      return data(text, lineNo);
    },
  };
}

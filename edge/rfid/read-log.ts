import type { RfidRead } from '../../actors/contracts/raw.ts';

/**
 * The shared RFID read format (edge/rfid/fixtures, CrossMgr's Impinj logs): CSV lines
 *   reader, EPC, time of day (HHMMSS.ffffff), sequence/count, peak RSSI (dBm)
 * after a header line and a line of reader settings (its EPC field is empty). Times are the reader's time of day:
 * `dayStartUs` (µs of the day's midnight on the same clock, UTC unless the reader ran on local time) makes them
 * absolute. Lines from `127.0.0.1` are not reads: CrossMgr logged its own passing estimate there (the count column is
 * the number of reads it used); they are returned apart, as `estimate`, for comparison.
 */
export type RfidLogLine =
  | { kind: 'read'; read: RfidRead; reader: string }
  | { kind: 'estimate'; chip: string; atUs: number; reads: number }
  | { kind: 'skip' }
  | { kind: 'error'; message: string };

const TIME = /^(\d{2})(\d{2})(\d{2})\.(\d{1,6})$/;

export function parseRfidLine(line: string, lineNo: number, dayStartUs: number): RfidLogLine {
  const fields = line.trim().split(',').map((f) => f.trim());
  if (line.trim() === '' || fields[0] === 'Reader' || fields[1] === '') return { kind: 'skip' };
  const [reader, epc, time, count, rssi] = fields;
  if (!epc || !/^[0-9A-Fa-f]+$/.test(epc)) return { kind: 'error', message: `line ${lineNo}: EPC "${epc ?? ''}" is not hex` };
  const m = TIME.exec(time ?? '');
  if (!m) return { kind: 'error', message: `line ${lineNo}: time "${time ?? ''}" is not HHMMSS.ffffff` };
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59) return { kind: 'error', message: `line ${lineNo}: time "${time}" is not a time of day` };
  const atUs = dayStartUs + ((h * 60 + min) * 60 + s) * 1_000_000 + Number(m[4]!.padEnd(6, '0'));
  const chip = epc.toUpperCase();
  if (reader === '127.0.0.1') return { kind: 'estimate', chip, atUs, reads: Number(count) };
  const dbm = Number(rssi);
  if (rssi === undefined || rssi === '' || !Number.isFinite(dbm)) return { kind: 'error', message: `line ${lineNo}: RSSI "${rssi ?? ''}" is not a number` };
  return { kind: 'read', read: { chip, atUs, rssi: dbm }, reader: reader ?? '' };
}

/** The day a CrossMgr log was written, from its name (`…-2018-04-08-12-31-32.txt`), as µs of UTC midnight. */
export function dayStartFromLogName(name: string): number | undefined {
  const m = /(\d{4})-(\d{2})-(\d{2})-\d{2}-\d{2}-\d{2}\.txt$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) * 1000 : undefined;
}

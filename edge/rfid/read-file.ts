import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RfidRead } from '../../actors/contracts/raw.ts';
import { createRfidClusterer, type RfidClusterOptions, type RfidPassing } from './clusters.ts';
import { dayStartFromLogName, parseRfidLine } from './read-log.ts';

export interface RfidLogResult {
  reads: RfidRead[];
  passings: RfidPassing[];
  /** CrossMgr's own estimates logged in the file (read-log.ts), for comparison. */
  crossMgr: { chip: string; atUs: number; reads: number }[];
  errors: string[];
  tooSoon: number;
}

/** A whole read log → its reads and the passings clustered from them (clusters.ts), in time order. */
export async function readRfidLog(file: string, opts: RfidClusterOptions & { dayStartUs?: number } = {}): Promise<RfidLogResult> {
  const dayStartUs = opts.dayStartUs ?? dayStartFromLogName(path.basename(file)) ?? 0;
  const clusterer = createRfidClusterer(opts);
  const result: RfidLogResult = { reads: [], passings: [], crossMgr: [], errors: [], tooSoon: 0 };
  (await readFile(file, 'utf8')).split(/\r?\n/).forEach((line, i) => {
    const parsed = parseRfidLine(line, i + 1, dayStartUs);
    if (parsed.kind === 'read') {
      result.reads.push(parsed.read);
      result.passings.push(...clusterer.push(parsed.read));
    } else if (parsed.kind === 'estimate') result.crossMgr.push({ chip: parsed.chip, atUs: parsed.atUs, reads: parsed.reads });
    else if (parsed.kind === 'error') result.errors.push(parsed.message);
  });
  result.passings.push(...clusterer.flush());
  result.tooSoon = clusterer.stats().tooSoon;
  return result;
}

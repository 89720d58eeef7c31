import path from 'node:path';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { createRmonMapping, type MappedInput, type RmonMappingStats } from '../../actors/rmonitor/map.ts';
import { readCapture } from '../../edge/rmonitor/capture.ts';
import { scoreOutput, type ScoreOutput } from './output.ts';
import { scoreInputs } from './score-inputs.ts';

/**
 * `pitwall score`: reads an RMonitor capture (plain or with `##` receive headers), maps its records to session inputs
 * (actors/rmonitor) and scores them with the session actor. Bad lines are counted and skipped. Deterministic: the
 * output depends on the file's records only (receive timestamps are not used).
 */
export interface ScoreFileOptions {
  mode?: 'independent' | 'follow';
  declaration?: EventDeclaration;
}

export interface ScoreFileResult {
  output: ScoreOutput;
  stats: RmonMappingStats & { badLines: number };
}

export async function scoreCaptureFile(file: string, opts: ScoreFileOptions = {}): Promise<ScoreFileResult> {
  const event = slug(path.basename(file).replace(/\.[^.]*$/, '')) || 'capture';
  const mapping = createRmonMapping({
    event,
    ...(opts.mode ? { mode: opts.mode } : {}),
    ...(opts.declaration ? { declaration: opts.declaration } : {}),
  });
  const inputs: MappedInput[] = [];
  let badLines = 0;
  for await (const entry of readCapture(file)) {
    if (!entry.record) {
      badLines++;
      continue;
    }
    for (const m of mapping.push(entry.record)) inputs.push(m);
  }
  inputs.push(...mapping.end());
  const ref = { track: opts.declaration?.track ?? 'rmonitor', event: opts.declaration?.event ?? event };
  const sessions = scoreInputs(inputs, ref, opts.mode ? { mode: opts.mode } : {});
  return { output: scoreOutput(sessions), stats: { ...mapping.stats(), badLines } };
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');

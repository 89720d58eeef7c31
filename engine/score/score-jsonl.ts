import fs from 'node:fs';
import { foldSession } from '../../actors/session-actor.ts';
import { readJsonl } from '../../edge/jsonl/read.ts';
import { jsonlToSessionInputs } from '../../edge/jsonl/to-session-inputs.ts';
import { scoreOutput, type ScoreOutput } from './output.ts';
import type { ScoredSession } from './score-inputs.ts';

export interface ScoreJsonlResult {
  output: ScoreOutput;
  stats: { badLines: number; sessions: number };
}

/**
 * `pitwall score FILE.jsonl`: scores a JSON-lines file (docs/jsonl-format.md) offline. Each session the file opens,
 * in order of opening, is folded from the inputs the engine would write to RACE (`jsonlToSessionInputs`) with the
 * live session actor's defaults (the checkered by the finish rule), so the standings are those of the same events
 * run live. Bad lines are counted and skipped. Deterministic: the output depends on the file's records only.
 */
export function scoreJsonlText(text: string): ScoreJsonlResult {
  const read = readJsonl(text);
  const records = read.records.map((r) => r.record);
  const sessions: ScoredSession[] = [];
  const seen = new Set<string>();
  let declaration: { track: string; event: string } | undefined;
  for (const r of records) {
    if (r.type === 'declaration') declaration = r.declaration;
    if (r.type !== 'session.open' || seen.has(r.session) || !declaration) continue;
    seen.add(r.session);
    const inputs = jsonlToSessionInputs(records, r.session);
    if (inputs.length === 0) continue; // not declared
    sessions.push({ id: r.session, view: foldSession(inputs, { track: declaration.track, event: r.event, session: r.session }) });
  }
  return { output: scoreOutput(sessions), stats: { badLines: read.errors.length, sessions: sessions.length } };
}

export const scoreJsonlFile = (file: string): ScoreJsonlResult => scoreJsonlText(fs.readFileSync(file, 'utf8'));

/** Whether a file is JSON lines rather than an RMonitor capture: its first non-blank line is a JSON object. */
export function isJsonlFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').trimStart().startsWith('{');
  } finally {
    fs.closeSync(fd);
  }
}

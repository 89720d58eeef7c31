import { readDeclarationFile } from '../../declarations/read.ts';
import { UsageError } from '../../errors.ts';
import { scoreTable } from '../../score/output.ts';
import { scoreCaptureFile } from '../../score/score-file.ts';
import { isJsonlFile, scoreJsonlFile } from '../../score/score-jsonl.ts';
import type { Command } from '../command.ts';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score a recorded RMonitor capture or JSON-lines file offline with the live session actor and print the standings',
  help: `usage: pitwall score <file> [--event <declaration>] [--mode independent|follow] [--format json|table]

Reads an RMonitor capture (plain, or with ##yyyy-mm-dd hh:mm:ss.fff receive headers), maps its records to session
inputs and scores every session (one per $B run) with the same session actor as live. No servers needed. The same
file gives the same bytes.

A JSON-lines file (docs/jsonl-format.md; its first line starts with '{'), e.g. from 'pitwall edge sim --out', is
scored the same way: every session it opens, with the declaration it holds, exactly as the engine would score the
same events live. --event and --mode apply to RMonitor captures only.

options:
  --event <file>   RMonitor: an event declaration (JSON or YAML): session rules (type, finish, best-lap eligibility, minimum
                   lap) for sessions matched by id (run-<n>) or name, entry names and classes by number
  --mode <mode>    independent (default): order computed from the passings; follow: the program's $G/$H positions
  --format <fmt>   json (default; docs/score-output.schema.json) or table`,
  options: {
    event: { type: 'string' },
    mode: { type: 'string' },
    format: { type: 'string' },
  },
  async run(args, ctx) {
    const [file, ...extra] = args.positionals;
    if (!file || extra.length) throw new UsageError('give exactly one capture or JSON-lines file');
    const format = (args.values.format as string | undefined) ?? 'json';
    if (format !== 'json' && format !== 'table') throw new UsageError(`--format must be json or table, not ${format}`);
    if (isJsonlFile(file)) {
      if (args.values.event !== undefined || args.values.mode !== undefined) throw new UsageError('--event and --mode are for RMonitor captures; a JSON-lines file holds its declaration');
      const { output, stats } = scoreJsonlFile(file);
      ctx.out(format === 'json' ? JSON.stringify(output) : scoreTable(output));
      if (stats.badLines) ctx.err(`pitwall score: ${stats.badLines} bad line(s) skipped`);
      return 0;
    }
    const mode = (args.values.mode as string | undefined) ?? 'independent';
    if (mode !== 'independent' && mode !== 'follow') throw new UsageError(`--mode must be independent or follow, not ${mode}`);
    const eventFile = args.values.event as string | undefined;
    const declaration = eventFile ? readDeclarationFile(eventFile) : undefined;
    const { output, stats } = await scoreCaptureFile(file, { mode, ...(declaration ? { declaration } : {}) });
    ctx.out(format === 'json' ? JSON.stringify(output) : scoreTable(output));
    if (stats.badLines) ctx.err(`pitwall score: ${stats.badLines} bad line(s) skipped`);
    return 0;
  },
};

import { readDeclarationFile } from '../../declarations/read.ts';
import { UsageError } from '../../errors.ts';
import { agreementOfFile } from '../../score/agreement-file.ts';
import { agreementJson, agreementMarkdown, agreementText } from '../../score/agreement-output.ts';
import { scoreTable } from '../../score/output.ts';
import { scoreCaptureFile } from '../../score/score-file.ts';
import { isJsonlFile, scoreJsonlFile } from '../../score/score-jsonl.ts';
import type { Command, CommandArgs, CommandContext } from '../command.ts';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score a recorded RMonitor capture or JSON-lines file offline with the live session actor and print the standings',
  help: `usage: pitwall score <file> [--event <declaration>] [--mode independent|follow] [--format json|table]
       pitwall score --report <capture>… [--event <declaration>] [--format table|json|markdown]

Reads an RMonitor capture (plain, or with ##yyyy-mm-dd hh:mm:ss.fff receive headers), maps its records to session
inputs and scores every session (one per $B run) with the same session actor as live. No servers needed. The same
file gives the same bytes.

A JSON-lines file (docs/jsonl-format.md; its first line starts with '{'), e.g. from 'pitwall edge sim --out', is
scored the same way: every session it opens, with the declaration it holds, exactly as the engine would score the
same events live. --event and --mode apply to RMonitor captures only.

--report compares independent scoring with each RMonitor capture's own boards ($G race order, $H best-lap order):
per capture and session the rows compared, raw agreement on position and laps, agreement of the answering rows
(a car's first row after its own $J), the final orders, and every disagreement classified by cause — the causes and
the emission tolerance are in docs/scoring-accuracy.md.

options:
  --event <file>   RMonitor: an event declaration (JSON or YAML): session rules (type, finish, best-lap eligibility, minimum
                   lap) for sessions matched by id (run-<n>) or name, entry names and classes by number
  --mode <mode>    independent (default): order computed from the passings; follow: the program's $G/$H positions
  --format <fmt>   json (default; docs/score-output.schema.json) or table; with --report: table (default), json
                   or markdown (the tables of docs/scoring-accuracy.md)
  --report         the agreement report of one or more RMonitor captures`,
  options: {
    report: { type: 'boolean' },
    event: { type: 'string' },
    mode: { type: 'string' },
    format: { type: 'string' },
  },
  async run(args, ctx) {
    if (args.values.report) return report(args, ctx);
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

async function report(args: CommandArgs, ctx: CommandContext): Promise<number> {
  const files = args.positionals;
  if (!files.length) throw new UsageError('give one or more RMonitor captures to --report');
  if (args.values.mode !== undefined) throw new UsageError('--report compares independent scoring with the capture: no --mode');
  const jsonl = files.find(isJsonlFile);
  if (jsonl) throw new UsageError(`--report needs RMonitor captures; ${jsonl} is a JSON-lines file`);
  const format = (args.values.format as string | undefined) ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'markdown') throw new UsageError(`--format must be table, json or markdown with --report, not ${format}`);
  const eventFile = args.values.event as string | undefined;
  const declaration = eventFile ? readDeclarationFile(eventFile) : undefined;
  const captures = [];
  for (const file of files) captures.push(await agreementOfFile(file, declaration));
  ctx.out(format === 'json' ? JSON.stringify(agreementJson(captures)) : format === 'markdown' ? agreementMarkdown(captures) : agreementText(captures));
  const bad = captures.reduce((n, c) => n + c.badLines, 0);
  if (bad) ctx.err(`pitwall score: ${bad} bad line(s) skipped`);
  return 0;
}

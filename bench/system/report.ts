import fs from 'node:fs';
import type { Machine } from '../fanout/machine.ts';
import type { Scenario, ScenarioResult, TargetResult } from './scenario.ts';

/** One scenario as run: its result, or why it has none (it threw, or the deadline left no time). */
export interface ScenarioRun {
  id: string;
  title: string;
  method: string[];
  seconds: number;
  /** When it ran (a scenario re-run with --only keeps the others' earlier runs in the report). */
  at?: string;
  result?: ScenarioResult;
  error?: string;
}

export interface SystemReportInput {
  quick: boolean;
  started: Date;
  seconds: number;
  machine: Machine;
  /** Busy cores of the whole machine before the run (others' work on the shared machine). */
  busyBefore: number;
  loadAverage: number[];
  runs: ScenarioRun[];
  /** `--only`: the scenarios this run measured; the others are from the saved report, each with its own time. */
  only?: string[];
}

export const reportFile = (quick: boolean) => new URL(`../RESULTS-system${quick ? '-quick' : ''}.md`, import.meta.url);

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** Every target of every scenario in one table, the scenario that measured it first. */
function targetTable(runs: ScenarioRun[]): string[] {
  const rows: string[] = [];
  for (const run of runs) {
    const targets: TargetResult[] = run.result?.targets ?? [];
    if (!run.result) rows.push(`| ${cell(run.title)} | – | ${cell(run.error ?? 'not run')} | not measured |`);
    for (const t of targets) {
      const status = t.status === 'met' ? '**met**' : t.status;
      rows.push(`| ${cell(run.title)} | ${cell(t.target)} | ${cell(t.measured)} | ${status} |`);
    }
  }
  return ['| scenario | target | measured | status |', '|---|---|---|---|', ...rows];
}

export function renderReport(input: SystemReportInput): string {
  const m = input.machine;
  const lines = [
    `# System benchmark${input.quick ? ' (quick)' : ''}`,
    '',
    `Written by \`npm run bench -- system${input.quick ? ' --quick' : ''}${input.only ? ` --only=${input.only.join(',')}` : ''}\` on ${input.started.toISOString()} in ${Math.round(input.seconds)} s` +
      `${input.only ? ' (the other scenarios as an earlier run measured them: each section gives its time)' : ''}. Do not edit by hand: run it again.`,
    '',
    '## Machine',
    '',
    `${m.cpu}, ${m.cores} cores (shared, noisy), ${m.memoryGiB} GiB; ${m.os}, Linux ${m.kernel}; Node ${m.node}. ` +
      `Busy cores before the run: ${input.busyBefore.toFixed(2)} (others' work); load average ${input.loadAverage.map((l) => l.toFixed(1)).join(' ')}.`,
    '',
    `Versions: ${Object.entries(m.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    '## Targets',
    '',
    ...targetTable(input.runs),
    '',
  ];
  for (const run of input.runs) {
    lines.push(`## ${run.title}`, '', `*${run.at ? `${run.at}, ` : ''}${Math.round(run.seconds)} s*`, '', ...run.method.map((l) => `- ${l}`), '');
    if (!run.result) {
      lines.push(`**Not measured:** ${run.error ?? 'not run'}`, '');
      continue;
    }
    lines.push(...run.result.body, '');
    if (run.result.findings.length) lines.push('Findings:', '', ...run.result.findings.map((f) => `- ${f}`), '');
  }
  const notes = new URL('./NOTES.md', import.meta.url);
  if (fs.existsSync(notes)) lines.push(fs.readFileSync(notes, 'utf8').trimEnd(), '');
  return lines.join('\n');
}

/** Writes the report and its raw numbers (`.json` beside it); returns the report's path. */
export function writeReport(input: SystemReportInput): string {
  const file = reportFile(input.quick);
  fs.writeFileSync(file, renderReport(input));
  fs.writeFileSync(new URL(file.href.replace(/\.md$/, '.json')), `${JSON.stringify(input, null, 1)}\n`);
  return file.pathname;
}

export type { Scenario };

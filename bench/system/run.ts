import fs from 'node:fs';
import os from 'node:os';
import { stopAll } from '../fanout/child.ts';
import { machine } from '../fanout/machine.ts';
import { waitForQuiet } from '../fanout/proc.ts';
import { reportFile, writeReport, type ScenarioRun, type SystemReportInput } from './report.ts';
import type { Scenario } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';

/**
 * `npm run bench -- system [--quick] [--only=id,id] [--rewrite]`: the whole system under load (issue 17). Runs the scenarios one
 * after another, each with its share of the time left, and writes bench/RESULTS-system[-quick].md with every number
 * and every target. The quick run stays under 3 minutes, the full run under 20.
 */
export async function runSystemBenchmark(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  if (args.includes('--rewrite')) {
    // The report again from its saved numbers (after editing NOTES.md), nothing measured.
    const saved = JSON.parse(fs.readFileSync(new URL(reportFile(quick).href.replace(/\.md$/, '.json')), 'utf8')) as SystemReportInput;
    process.stdout.write(`report: ${writeReport({ ...saved, started: new Date(saved.started) })}\n`);
    return;
  }
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.id));
  const started = Date.now();
  const budgetMs = (quick ? 170 : 19 * 60) * 1000;
  const deadline = started + budgetMs;
  process.env.BENCH_EPOCH_US ??= String(Math.round((performance.timeOrigin + performance.now()) * 1000));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

  const busyBefore = await waitForQuiet(quick ? 1000 : 3000);
  log(`system benchmark (${quick ? 'quick' : 'full'}): ${scenarios.map((s) => s.id).join(', ')}; machine busy ${busyBefore.toFixed(2)} cores before`);
  const runs: ScenarioRun[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const t0 = Date.now();
    // Each scenario gets its share of what is left, in proportion to how long it expects to run, so that one that
    // overruns cannot starve the rest.
    const expected = (s: Scenario) => (s.expectedSeconds?.(quick) ?? (quick ? 20 : 150));
    const rest = scenarios.slice(i).reduce((sum, s) => sum + expected(s), 0);
    const share = Math.floor(((deadline - t0) * expected(scenario)) / rest);
    const run: ScenarioRun = { id: scenario.id, title: scenario.title, method: scenario.method(quick), seconds: 0, at: new Date().toISOString() };
    log(`${scenario.title} (at ${Math.round((t0 - started) / 1000)} s, ${Math.round(share / 1000)} s for it)`);
    try {
      run.result = await scenario.run({ quick, deadline: t0 + share, log: (l) => log(`  ${scenario.id}: ${l}`) });
      for (const t of run.result.targets) log(`  ${scenario.id}: ${t.status}: ${t.target} — ${t.measured}`);
    } catch (error) {
      run.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log(`  ${scenario.id}: failed: ${run.error}`);
    } finally {
      await stopAll(); // whatever child processes the scenario left behind, by their PIDs
    }
    run.seconds = (Date.now() - t0) / 1000;
    runs.push(run);
  }
  // `--only`: the scenarios run replace theirs in the saved report, the others stay as they were measured.
  const savedFile = new URL(reportFile(quick).href.replace(/\.md$/, '.json'));
  const saved = only && fs.existsSync(savedFile) ? (JSON.parse(fs.readFileSync(savedFile, 'utf8')) as SystemReportInput).runs : [];
  const merged = SCENARIOS.flatMap((s) => runs.filter((r) => r.id === s.id).concat(runs.some((r) => r.id === s.id) ? [] : saved.filter((r) => r.id === s.id)));
  const file = writeReport({
    quick, started: new Date(started), seconds: (Date.now() - started) / 1000, machine: machine(), busyBefore,
    loadAverage: os.loadavg(), runs: merged, ...(only ? { only } : {}),
  });
  log(`report: ${file} (${Math.round((Date.now() - started) / 1000)} s)`);
}

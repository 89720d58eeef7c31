import fs from 'node:fs';
import { stopAll } from './fanout/child.ts';
import { runSystem, type SystemRun } from './fanout/measure.ts';
import { PLANS } from './fanout/plan.ts';
import { SYSTEMS } from './fanout/systems.ts';
import { writeReport, type ReportInput } from './fanout/report.ts';
import { machine } from './fanout/machine.ts';

/**
 * `npm run bench -- [fanout] [--quick]`: the spectator fan-out benchmark (issue 16); `system`, `gps`, `race-control`: others. Pitwall and its peers in the
 * same run, one system at a time, on this machine; writes bench/RESULTS.md and prints a summary.
 */
const args = process.argv.slice(2);
const rewrite = args.find((a) => a.startsWith('--rewrite='))?.slice('--rewrite='.length);
if (rewrite) {
  // `--rewrite=bench/RESULTS.json`: the report again from saved numbers, nothing measured.
  const saved = JSON.parse(fs.readFileSync(rewrite, 'utf8')) as ReportInput & { started: string };
  process.stdout.write(`report: ${writeReport({ ...saved, started: new Date(saved.started) }, (l) => process.stdout.write(`${l}\n`))}\n`);
  process.exit(0);
}
const scenario = args.find((a) => !a.startsWith('--')) ?? 'fanout';
if (scenario === 'race-control') {
  await import('./race-control/latency.ts'); // issue 11: command → spectator latency, with a passing as its peer
  process.exit(0);
}
if (scenario === 'gps') {
  await import('./gps/tracker.ts'); // issue 15: fixes per second through the rider tracker, with reading a fix as its peer
  process.exit(0);
}
if (scenario === 'system') {
  const { runSystemBenchmark } = await import('./system/run.ts'); // issue 17: the whole system under load
  await runSystemBenchmark(args);
  process.exit(0);
}
if (scenario !== 'fanout') {
  process.stderr.write(`unknown scenario ${scenario}: fanout, race-control, gps or system\n`);
  process.exit(2);
}
const plan = PLANS[args.includes('--quick') ? 'quick' : 'full'];
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
process.env.BENCH_EPOCH_US ??= String(Math.round((performance.timeOrigin + performance.now()) * 1000));
const started = Date.now();
const log = (line: string) => process.stdout.write(`${line}\n`);
const deadline = started + plan.deadlineMs;

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
log(`fan-out benchmark (${plan.name}): ${plan.clientCounts.join(', ')} clients; ${SYSTEMS.map((s) => s.label).join(', ')}`);
const runs: SystemRun[] = [];
const skipped: string[] = [];
const systems = SYSTEMS.filter((s) => !only || only.includes(s.kind));
const jobs = plan.clientCounts.flatMap((clients) => systems.map((info) => ({ info, clients, repeat: false })));
const pitwall = systems.find((s) => s.kind === 'pitwall');
// A/A: Pitwall once more at the smallest count, after the peers of that count (so the repeat sees the machine at
// another moment) and before the larger counts (so the deadline never skips it).
if (pitwall) jobs.splice(systems.length, 0, { info: pitwall, clients: plan.clientCounts[0] ?? 1000, repeat: true });
for (const job of jobs) {
  const left = deadline - Date.now();
  // A job needs about 25 s plus its connections' set-up; one that cannot finish before the deadline is skipped.
  const needs = (plan.name === 'quick' ? 9_000 : 25_000) + job.clients * 2;
  if (left < needs) {
    skipped.push(`${job.info.label}${job.repeat ? ' (A/A)' : ''} at ${job.clients}`);
    continue;
  }
  log(`${job.info.label}${job.repeat ? ' (A/A repeat)' : ''}, ${job.clients} clients (at ${Math.round((Date.now() - started) / 1000)} s)`);
  const run = await runSystem(job.info, job.clients, plan, log, left + 30_000);
  run.repeat = job.repeat;
  runs.push(run);
}
await stopAll();
const input = { plan, runs, skipped, machine: machine(), started: new Date(started), seconds: (Date.now() - started) / 1000 };
// The raw numbers, so that the report can be written again (e.g. after editing bench/NOTES.md) without re-measuring.
fs.writeFileSync(new URL(`RESULTS${plan.name === 'quick' ? '-quick' : ''}.json`, import.meta.url), `${JSON.stringify(input, null, 1)}\n`);
const file = writeReport(input, log);
log(`report: ${file} (${Math.round((Date.now() - started) / 1000)} s)`);
process.exit(0);

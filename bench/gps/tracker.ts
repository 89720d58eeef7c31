import fs from 'node:fs';
import os from 'node:os';
import { createRiderTracker } from '../../actors/gps/rider-tracker.ts';
import { virtualLines } from '../../actors/gps/virtual-line.ts';
import { gatewayFixes, goldenRace } from '../../edge/gps/testing/golden-race.ts';
import { readFixMessage } from '../../engine/gps/fix-message.ts';

/**
 * `npm run bench -- gps`: how many fixes per second one engine core turns into crossings (the rider tracker: order,
 * outlier speed, every line's intersection), with its peer in the same run: reading the fix message itself (JSON
 * parse and checks), which every fix costs anyway. The golden race's 1 383 fixes, replayed `--rounds=N` times
 * (shifted in time), against its one line and against 10 lines. Writes bench/RESULTS-gps.md.
 */
const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 200);
const race = goldenRace();
const fixes = gatewayFixes(race);
const spanUs = fixes.at(-1)!.atUs - fixes[0]!.atUs + 1_000_000;
const messages = fixes.map((f) => ({ subject: `gps.${race.declaration.track}.${f.device}`, data: JSON.stringify(f) }));
const [line] = race.declaration.timingLines!;
const tenLines = Array.from({ length: 10 }, (_, i) => ({ ...line!, id: `l${i}`, kind: i === 0 ? line!.kind : ('sector' as const) }));

function perSecond(run: () => void): number {
  run(); // warm-up
  const start = process.hrtime.bigint();
  run();
  return (rounds * fixes.length) / (Number(process.hrtime.bigint() - start) / 1e9);
}

function trackAll(lines: typeof tenLines): () => void {
  return () => {
    const trackers = new Map(race.riders.map((r) => [r.entry.number, createRiderTracker({ lines: virtualLines(lines), maxSpeedMps: 40 })]));
    for (let round = 0; round < rounds; round++) {
      for (const f of fixes) trackers.get(f.entry.number)!.add({ atUs: f.atUs + round * spanUs, lat: f.lat, lon: f.lon });
    }
  };
}

const rows = [
  ['peer: read the fix message (JSON + checks)', perSecond(() => {
    for (let round = 0; round < rounds; round++) for (const m of messages) readFixMessage(m.subject, m.data);
  })],
  ['tracker, 1 line', perSecond(trackAll([line!]))],
  ['tracker, 10 lines', perSecond(trackAll(tenLines))],
] as const;

const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const report = [
  '# GPS tracker throughput',
  '',
  `*${new Date().toISOString()}, ${os.cpus().length} cores, load ${load}; \`npm run bench -- gps --rounds=${rounds}\` (bench/gps/tracker.ts)*`,
  '',
  '| what | fixes per second (one core) |',
  '|---|---|',
  ...rows.map(([what, n]) => `| ${what} | ${Math.round(n).toLocaleString('en')} |`),
  '',
  `${rounds} × the golden race's ${fixes.length} fixes (three riders). 50 riders sending one fix a second are 50 fixes a second per race.`,
  '',
].join('\n');
fs.writeFileSync(new URL('../RESULTS-gps.md', import.meta.url), report);
process.stdout.write(report);

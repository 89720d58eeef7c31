import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createRfidClusterer } from './clusters.ts';
import { readRfidLog } from './read-file.ts';
import { parseRfidLine } from './read-log.ts';

const LOGS = ['EliteMen-Impinj-2018-04-08-12-31-32.txt', 'EliteMen-Impinj-2018-04-08-13-27-01.txt'].map((f) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url)));
const GAP_US = 2_000_000;

for (const file of LOGS) {
  t.test(`${file.split('/').pop()}: one passing per chip per crossing, each inside its read cluster`, async (t) => {
    const { reads, passings, errors } = await readRfidLog(file, { minIntervalMs: 0 });
    t.same(errors, [], 'every line reads');
    t.ok(reads.length > 1900, `${reads.length} reads`);
    // The clusters, found independently: a chip's reads sorted by time, split where two are more than the gap apart.
    const byChip = new Map<string, number[]>();
    for (const r of reads) byChip.set(r.chip, [...(byChip.get(r.chip) ?? []), r.atUs]);
    const clusters: { chip: string; from: number; to: number; n: number }[] = [];
    for (const [chip, times] of byChip) {
      times.sort((a, b) => a - b);
      let from = times[0]!;
      let n = 0;
      times.forEach((at, i) => {
        n++;
        if (i === times.length - 1 || times[i + 1]! - at > GAP_US) {
          clusters.push({ chip, from, to: at, n });
          from = times[i + 1]!;
          n = 0;
        }
      });
    }
    t.equal(passings.length, clusters.length, `${passings.length} passings for ${clusters.length} clusters`);
    const inside = passings.filter((p) => clusters.some((c) => c.chip === p.chip && c.from === p.firstUs && p.atUs >= c.from && p.atUs <= c.to && p.reads === c.n));
    t.equal(inside.length, passings.length, 'each passing lies inside its own cluster and counts all its reads');
    t.ok(passings.every((p) => p.firstUs <= p.peakUs && p.peakUs <= p.lastUs && p.atUs === p.peakUs), 'first read ≤ peak ≤ last; atUs is the peak');
  });
}

t.test('the minimum time between passings of a chip drops a second crossing too soon after the first', async (t) => {
  const c = createRfidClusterer({ gapMs: 500, minIntervalMs: 10_000 });
  const read = (s: number, rssi: number) => c.push({ chip: 'A1', atUs: s * 1e6, rssi });
  const out = [read(100, -60), read(100.1, -50), read(100.2, -55), read(104, -52), read(120, -58)];
  out.push(c.flush());
  const passings = out.flat();
  t.same(passings.map((p) => [p.atUs / 1e6, p.reads]), [[100.1, 3], [120, 1]], 'peak of the first cluster; the one 3.9 s later dropped; 20 s later kept');
  t.equal(c.stats().tooSoon, 1);
  t.match(passings[0], { firstUs: 100e6, peakUs: 100.1e6, precisionUs: 100_000 });
  const first = createRfidClusterer({ estimate: 'first' });
  first.push({ chip: 'B', atUs: 5e6, rssi: -70 });
  first.push({ chip: 'B', atUs: 5.2e6, rssi: -40 });
  t.equal(first.flush()[0]!.atUs, 5e6, 'first-read estimate');
});

t.test('bad lines: a precise error each', async (t) => {
  t.same(parseRfidLine('10.16.21.147,XYZ,123132.461593,0,-52', 7, 0), { kind: 'error', message: 'line 7: EPC "XYZ" is not hex' });
  t.same(parseRfidLine('10.16.21.147,738A,12:31:32,0,-52', 8, 0), { kind: 'error', message: 'line 8: time "12:31:32" is not HHMMSS.ffffff' });
  t.same(parseRfidLine('10.16.21.147,738A,123132.5,0,', 9, 0), { kind: 'error', message: 'line 9: RSSI "" is not a number' });
  t.match(parseRfidLine('10.16.21.147,738ad3,123132.461593,0,-52', 1, 1e6), { kind: 'read', read: { chip: '738AD3', atUs: 1e6 + 45092461593, rssi: -52 } });
});

import t from 'tap';
import { createSessionPositions } from './session-positions.ts';
import { extendTrail, TRAIL } from './trail.ts';
import type { TrailPoint } from '../protocol.ts';

// The gateway's per-session riders (the live map): each rider once per frame with its latest fix, old fixes ignored,
// trails bounded, a cap on riders.

const S = 1_000_000;
const fix = (number: string, sec: number, lat = 53.5 + sec / 1e4, lon = 9.8) => ({ number, atUs: 1_700_000_000 * S + sec * S, lat, lon });

t.test('a frame carries each rider that moved once, with its latest fix and its age', async (t) => {
  const positions = createSessionPositions({ maxRiders: 10 });
  t.equal(positions.add(fix('7', 1), 1000), 'shown');
  t.equal(positions.add(fix('7', 2), 1100), 'shown');
  t.equal(positions.add(fix('12', 1, 53.51), 1150), 'shown');
  t.same(positions.takeChanged(1250), [{ ...fix('7', 2), ageMs: 150 }, { ...fix('12', 1, 53.51), ageMs: 100 }], 'the latest of 7, and 12');
  t.same(positions.takeChanged(1500), [], 'nothing moved since');
  t.equal(positions.add(fix('7', 2), 1600), 'old', 'the same fix again (a phone re-sending) is ignored');
  t.equal(positions.add(fix('7', 1), 1600), 'old', 'so is an older one');
  t.same(positions.takeChanged(1700), [], 'and moves nobody');
  t.equal(positions.add({ ...fix('7', 3), speedMps: 4.5, accuracyM: 6 }, 1800), 'shown');
  t.same(positions.takeChanged(1800), [{ ...fix('7', 3), speedMps: 4.5, accuracyM: 6, ageMs: 0 }], 'speed and accuracy when the phone sends them');
});

t.test('a late joiner gets every rider with its trail', async (t) => {
  const positions = createSessionPositions({ maxRiders: 10, trail: { trailMs: 20_000, stepMs: 5_000 } });
  for (let sec = 0; sec <= 30; sec++) positions.add(fix('7', sec), 1000 + sec);
  positions.add(fix('12', 0), 1000);
  const all = positions.all(2000);
  const seven = all.find((r) => r.number === '7')!;
  t.same(seven.trail?.map((p) => (p[0] - fix('7', 0).atUs) / S), [10, 15, 20, 25], 'one point every 5 s within 20 s of the latest fix, oldest first');
  t.same({ ...seven, trail: undefined }, { ...fix('7', 30), ageMs: 970, trail: undefined }, 'and the latest fix');
  t.same(all.find((r) => r.number === '12'), { ...fix('12', 0), ageMs: 1000, trail: [] }, 'a rider heard once has no trail yet');
});

t.test('riders past maxRiders are refused', async (t) => {
  const positions = createSessionPositions({ maxRiders: 2 });
  positions.add(fix('1', 0), 0);
  positions.add(fix('2', 0), 0);
  t.equal(positions.add(fix('3', 0), 0), 'full');
  t.equal(positions.add(fix('1', 1), 0), 'shown', 'known riders still move');
  t.equal(positions.size, 2);
});

t.test('a trail never holds more than trailMs / stepMs + 1 points, whatever the fix rate', async (t) => {
  const trail: TrailPoint[] = [];
  let longest = 0;
  for (let ms = 0; ms < 600_000; ms += 300) {
    extendTrail(trail, [ms * 1000, 0, 0], (ms + 300) * 1000);
    longest = Math.max(longest, trail.length);
  }
  t.ok(longest <= TRAIL.trailMs / TRAIL.stepMs + 1, `at most ${TRAIL.trailMs / TRAIL.stepMs + 1} points (${longest})`);
  t.ok(trail.every((p, i) => i === 0 || p[0] - trail[i - 1]![0] >= TRAIL.stepMs * 1000), 'points at least stepMs apart');
  t.ok(trail[0]![0] >= (600_000 - TRAIL.trailMs) * 1000, 'none older than trailMs before the latest');
});

import t from 'tap';
import { distanceM, localPlane } from './local-plane.ts';
import { createRiderTracker, type TrackedFix } from './rider-tracker.ts';
import { virtualLines } from './virtual-line.ts';

/**
 * Tiny hand-made tracks around a line 100 m long running north, from (0, −50) to (0, 50) in metres east/north of
 * (53.5, 9.8). Moving east crosses it from its left to its right (direction +1).
 */
const plane = localPlane({ lat: 53.5, lon: 9.8 });
const point = (x: number, y: number) => plane.fromPlane({ x, y });
const A = point(0, -50);
const B = point(0, 50);
const lines = virtualLines([
  { id: 'sf', kind: 'start-finish', points: [[A.lat, A.lon], [B.lat, B.lon]] },
  { id: 'far', kind: 'sector', points: [[53.6, 9.9], [53.61, 9.9]] }, // 11 km away: never crossed
]);
const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const fix = (sec: number, x: number, y = 0): TrackedFix => ({ atUs: T0 + Math.round(sec * S), ...point(x, y) });
const tracker = () => createRiderTracker({ lines, maxSpeedMps: 40 });
const feed = (fixes: TrackedFix[]) => {
  const tr = tracker();
  return fixes.map((f) => tr.add(f));
};

t.test('the local plane is metric: 100 m of line measure 100 m on the sphere (within its 0.5 % from the ellipsoid)', async (t) => {
  t.ok(Math.abs(distanceM(A, B) - 100) < 0.5, `${distanceM(A, B)} m`);
  const back = plane.toPlane(point(123.4, -56.7));
  t.ok(Math.abs(back.x - 123.4) < 1e-6 && Math.abs(back.y + 56.7) < 1e-6);
});

t.test('a crossing between sparse fixes, far from the line, is found and its time interpolated', async (t) => {
  // 10 m/s east: at x = −200 at 0 s and x = +100 at 30 s, so on the line at 20 s; no fix within 100 m of it.
  const [first, second] = feed([fix(0, -200, 10), fix(30, 100, 10)]);
  t.same(first, { verdict: 'accepted', crossings: [], jitter: 0 });
  t.equal(second!.crossings.length, 1);
  const c = second!.crossings[0]!;
  t.equal(c.line, 'sf');
  t.equal(c.kind, 'start-finish');
  t.ok(Math.abs(c.atUs - (T0 + 20 * S)) <= 1, `crossing at ${(c.atUs - T0) / S} s`);
  t.equal(c.precisionUs, 30 * S, 'as precise as the fix interval');
  t.equal(c.direction, 1, 'west to east: from the left of the line (looking north) to its right');
  t.equal(c.closedAtUs, T0 + 30 * S, 'identified by the fix that closed the segment');
});

t.test('a path beside the line\'s end does not cross it; just inside the end it does', async (t) => {
  t.same(feed([fix(0, -10, 51), fix(2, 10, 51)])[1]!.crossings, [], '1 m beyond the north end');
  t.same(feed([fix(0, -10, -52), fix(2, 10, -49.5)])[1]!.crossings, [], 'diagonal that passes the south end outside');
  t.equal(feed([fix(0, -10, 49), fix(2, 10, 49)])[1]!.crossings.length, 1, '1 m inside the north end');
});

t.test('both directions cross, each with its direction', async (t) => {
  const results = feed([fix(0, -20), fix(2, 20), fix(60, 30), fix(62, -20)]);
  const crossings = results.flatMap((r) => r.crossings);
  t.same(crossings.map((c) => c.direction), [1, -1]);
  t.same(crossings.map((c) => Math.round((c.atUs - T0) / 1000)), [1000, 61200], 'times in ms, interpolated');
});

t.test('an outlier spike is dropped and makes no false crossing; the next good fix crosses once', async (t) => {
  const results = feed([fix(0, -40), fix(1, -30), fix(2, 900), fix(3, -20), fix(4, -10), fix(5, 10)]);
  t.same(results.map((r) => r.verdict), ['accepted', 'accepted', 'outlier', 'accepted', 'accepted', 'accepted']);
  const crossings = results.flatMap((r) => r.crossings);
  t.equal(crossings.length, 1, 'the spike beyond the line crossed nothing (twice)');
  t.ok(Math.abs(crossings[0]!.atUs - (T0 + 4.5 * S)) <= 1);
  t.equal(crossings[0]!.precisionUs, S, 'the interval of the good fixes around it, not across the spike');
});

t.test('a spike that makes an apparent crossing is still an outlier', async (t) => {
  // 100 m in 1 s is 100 m/s: impossible at 40 m/s, although the segment would cross the line.
  const results = feed([fix(0, -30), fix(1, 70), fix(2, -28)]);
  t.same(results.map((r) => r.verdict), ['accepted', 'outlier', 'accepted']);
  t.same(results.flatMap((r) => r.crossings), []);
});

t.test('after a long gap a far fix is plausible: accepted, and the crossing found across the gap', async (t) => {
  // 1.5 km in 120 s (12.5 m/s): no fix for two minutes (a tunnel, the phone asleep).
  const results = feed([fix(0, -500), fix(120, 1000)]);
  t.equal(results[1]!.verdict, 'accepted');
  t.equal(results[1]!.crossings.length, 1);
  t.ok(Math.abs(results[1]!.crossings[0]!.atUs - (T0 + 40 * S)) <= 1);
});

t.test('a real jump: three consistent fixes re-anchor the rider; crossings along them count, not across the jump', async (t) => {
  // The first fix is 5 km off (a cell-tower fix); the rider is really at the line.
  const results = feed([fix(0, 5000, 3000), fix(1, -20), fix(2, -10), fix(3, 5), fix(4, 15), fix(5, 25)]);
  t.same(results.map((r) => r.verdict), ['accepted', 'outlier', 'outlier', 'reanchored', 'accepted', 'accepted']);
  const crossings = results.flatMap((r) => r.crossings);
  t.equal(crossings.length, 1, 'the crossing between the 2nd and 3rd candidate');
  t.ok(Math.abs(crossings[0]!.atUs - (T0 + (2 + 10 / 15) * S)) <= 1);
});

t.test('duplicates and old fixes are dropped and cross nothing', async (t) => {
  const results = feed([fix(0, -20), fix(2, 20), fix(2, 20), fix(1, -5), fix(3, 25)]);
  t.same(results.map((r) => r.verdict), ['accepted', 'accepted', 'duplicate', 'old', 'accepted']);
  t.equal(results.flatMap((r) => r.crossings).length, 1);
});

t.test('noisy jitter around the line makes one crossing, not several', async (t) => {
  // A rider standing on the line, each fix ±2 m east or west of it, once a second, then riding off east.
  const xs = [-3, 2, -1.5, 1, -2, 2, -1, 1.5, -2, 2];
  const results = feed([...xs.map((x, i) => fix(i, x)), fix(10, 10), fix(11, 20)]);
  const crossings = results.flatMap((r) => r.crossings);
  t.equal(crossings.length, 1, 'one crossing');
  t.ok(Math.abs(crossings[0]!.atUs - (T0 + 0.6 * S)) <= 1, 'the first');
  t.equal(results.reduce((n, r) => n + r.jitter, 0), 8, 'the other eight back-and-forths counted as jitter');
  // A real return across the line later than the jitter window counts again.
  const later = feed([fix(0, -10), fix(1, 10), fix(7, 10), fix(8, -10)]).flatMap((r) => r.crossings);
  t.equal(later.length, 2, 'crossings 6 s apart are two');
});

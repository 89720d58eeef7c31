import t from 'tap';
import type { SessionView, StandingRow } from './view.ts';
import { applyViewDiff, diffView } from './view-diff.ts';

const row = (number: string, position: number, extra: Partial<StandingRow> = {}): StandingRow => ({
  number,
  name: `Driver ${number}`,
  class: 'gt3',
  position,
  classPosition: position,
  laps: 3,
  ...extra,
});

const view = (rows: StandingRow[], extra: Partial<SessionView> = {}): SessionView => ({
  track: 'sebring',
  event: '2026-ss',
  session: 'race-1',
  name: 'Race 1',
  type: 'race',
  state: 'running',
  flag: 'green',
  clockUs: 60_000_000,
  rows,
  ...extra,
});

t.test('no change gives no diff', async (t) => {
  const v = view([row('7', 1), row('05', 2, { gapUs: 1_500_000 })]);
  t.equal(diffView(v, structuredClone(v)), undefined);
});

t.test('changed fields only, and an explicit clear', async (t) => {
  const prev = view([row('7', 1), row('05', 2, { gapUs: 1_500_000, intervalUs: 1_500_000 })]);
  const next = view([row('7', 1, { laps: 4 }), row('05', 2, { laps: 3, gapLaps: 1, intervalLaps: 1 })], { clockUs: 61_000_000 });
  const diff = diffView(prev, next)!;
  t.same(diff.header, { clockUs: 61_000_000 });
  t.same(diff.rows?.['7'], { set: { laps: 4 } });
  t.same(diff.rows?.['05'], { set: { gapLaps: 1, intervalLaps: 1 }, clear: ['gapUs', 'intervalUs'] });
  t.notOk(diff.order, 'order unchanged');
  t.same(applyViewDiff(prev, diff), next);
});

t.test('overtake, a new car and a removed car', async (t) => {
  const prev = view([row('7', 1), row('05', 2), row('12', 3)]);
  const next = view([row('05', 1), row('7', 2, { gapUs: 200 }), row('99', 3)]);
  const diff = diffView(prev, next)!;
  t.same(diff.order, ['05', '7', '99']);
  t.same(applyViewDiff(prev, diff), next);
  t.same(prev.rows.map((r) => r.number), ['7', '05', '12'], 'the input view is not modified');
});

t.test('a header field cleared', async (t) => {
  const prev = view([], { remainingLaps: 2 });
  const next = view([], { state: 'finishing', flag: 'checkered' });
  const diff = diffView(prev, next)!;
  t.same(diff.headerClear, ['remainingLaps']);
  t.same(applyViewDiff(prev, diff), next);
});

t.test('a diff naming an unknown car in its order is an error, not a silent hole', async (t) => {
  t.throws(() => applyViewDiff(view([row('7', 1)]), { order: ['7', '8'] }), /car 8/);
});

t.test('random views: apply(diff) reproduces the next view', async (t) => {
  let state = 42;
  const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  let prev = view([]);
  for (let i = 0; i < 500; i++) {
    const numbers = ['1', '2', '3', '05', '5', '77', '8'].filter(() => rand(4) > 0);
    const rows = numbers
      .sort(() => rand(3) - 1)
      .map((n, p) => row(n, p + 1, rand(2) ? { gapUs: rand(1000) } : { gapLaps: rand(3) + 1, ...(rand(2) ? { bestLapUs: 90_000_000 } : {}) }));
    const next = view(rows, { clockUs: i * 1_000_000, flag: rand(5) ? 'green' : 'fcy' });
    const diff = diffView(prev, next);
    t.strictSame(diff ? applyViewDiff(prev, diff) : prev, next);
    prev = next;
  }
});

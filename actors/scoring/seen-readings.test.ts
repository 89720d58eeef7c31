import t from 'tap';
import { markSeen, type SeenReadings } from './seen-readings.ts';

const id = (seq: number, device = 'dec-1', boot = 'b1') => ({ device, boot, seq });

t.test('in-order seqs collapse to one range; a repeat is refused', async (t) => {
  let seen: SeenReadings = {};
  for (let seq = 1; seq <= 500; seq++) seen = markSeen(seen, id(seq))!;
  t.same(seen, { 'dec-1:b1': [[1, 500]] });
  t.equal(markSeen(seen, id(250)), undefined);
  t.equal(markSeen(seen, id(1)), undefined);
});

t.test('out of order, gaps filled, ranges joined; other boots and devices are separate', async (t) => {
  let seen: SeenReadings = {};
  for (const seq of [5, 1, 3, 9, 2, 4, 8]) seen = markSeen(seen, id(seq))!;
  t.same(seen['dec-1:b1'], [[1, 5], [8, 9]]);
  seen = markSeen(seen, id(7))!;
  seen = markSeen(seen, id(6))!;
  t.same(seen['dec-1:b1'], [[1, 9]]);
  t.ok(markSeen(seen, id(3, 'dec-1', 'b2')), 'a new boot starts over');
  t.ok(markSeen(seen, id(3, 'dec-2', 'b1')), 'another device');
});

t.test('the input is never modified', async (t) => {
  const seen: SeenReadings = { 'dec-1:b1': [[1, 2]] };
  const copy = structuredClone(seen);
  markSeen(seen, id(3));
  markSeen(seen, id(10));
  t.same(seen, copy);
});

t.test('random order against a plain Set', async (t) => {
  let state = 7;
  const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  let seen: SeenReadings = {};
  const set = new Set<number>();
  let agree = 0;
  for (let i = 0; i < 2000; i++) {
    const seq = rand(300) + 1;
    const next = markSeen(seen, id(seq));
    if ((next === undefined) === set.has(seq)) agree++;
    set.add(seq);
    if (next) seen = next;
  }
  t.equal(agree, 2000);
  const ranges = seen['dec-1:b1']!;
  t.equal(ranges.reduce((n, [a, b]) => n + b - a + 1, 0), set.size, 'ranges hold exactly the seqs seen');
  t.ok(ranges.every((r, i) => i === 0 || r[0] > ranges[i - 1]![1] + 1), 'sorted, disjoint, not adjacent');
});

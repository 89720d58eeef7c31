import t from 'tap';
import { createFillWarnings, outboxLevel } from './fill-level.ts';
import type { OutboxStats } from './outbox.ts';

const stats = (pendingBytes: number, extra: Partial<OutboxStats> = {}): OutboxStats =>
  ({ durable: true, dir: '/outbox', pending: pendingBytes / 100, pendingBytes, maxBytes: 10_000, recovered: 0, unreadable: 0, ...extra });

t.test('levels by share of the limit, or of the disk when it has less room', async (t) => {
  t.same([0, 4_999, 5_000, 7_999, 8_000, 10_000].map((b) => outboxLevel(stats(b), false)), ['ok', 'ok', 'filling', 'filling', 'critical', 'critical']);
  t.equal(outboxLevel(stats(100), true), 'full', 'an append was refused');
  t.equal(outboxLevel(stats(3_000, { diskFreeBytes: 1_000 }), false), 'filling', '3 000 of 4 000 bytes the disk allows');
  t.equal(outboxLevel(stats(3_000, { diskFreeBytes: 10 ** 9 }), false), 'ok');
});

t.test('one warning per level reached, and one when back to normal', async (t) => {
  const lines: string[] = [];
  const warn = createFillWarnings((l) => lines.push(l));
  for (const b of [1_000, 5_500, 6_000, 8_500, 9_000]) warn(stats(b), false);
  warn(stats(9_000), true);
  warn(stats(9_000), true);
  warn(stats(6_000), false);
  warn(stats(100), false);
  t.same(lines.map((l) => l.split(':')[0]), ['outbox filling (/outbox)', 'outbox critical (/outbox)', 'outbox full (/outbox)', 'outbox back to normal (/outbox)']);
  t.match(lines[1], /85 readings, 85% of 10000 bytes not yet acknowledged/);
});

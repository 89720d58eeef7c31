import { Kvm } from '@nats-io/kv';
import t from 'tap';
import { startTestNats } from '../testing/nats.ts';
import { waitFor } from '../testing/wait.ts';
import { createLeases } from './leases.ts';

const TTL_MS = 600;

t.test('leases in KV session-owner: one holder, renewed; taken over only after the TTL; fenced by epoch', async (t) => {
  const nats = await startTestNats(t);
  const kv = await new Kvm(await nats.connectAs('engine')).open('session-owner');
  const log = (line: string) => t.comment(line);
  const a = await createLeases({ kv, log }, { node: 'a', ttlMs: TTL_MS });
  const b = await createLeases({ kv, log }, { node: 'b', ttlMs: TTL_MS });
  const c = await createLeases({ kv, log }, { node: 'c', ttlMs: TTL_MS });
  t.teardown(() => Promise.all([a.stop(), b.stop(), c.stop()]));

  const first = await a.tryAcquire('demo-park.race-1');
  t.ok(first, 'a free key is taken');
  t.equal(await b.tryAcquire('demo-park.race-1'), undefined, 'a held key is refused');
  await waitFor('b to see the holder', () => b.holder('demo-park.race-1')?.node === 'a');
  // Three TTLs in which the holder keeps renewing: nobody may take it.
  const until = Date.now() + 3 * TTL_MS;
  let takenMeanwhile = false;
  await waitFor('three TTLs', async () => {
    takenMeanwhile ||= (await b.tryAcquire('demo-park.race-1')) !== undefined;
    return Date.now() > until;
  });
  t.notOk(takenMeanwhile, 'nobody took it while the holder renewed');
  t.ok(first!.valid(), 'the holder renewed all along');

  // The holder stops renewing, as if it died: after the TTL exactly one of two contenders takes it.
  await a.stop();
  const [byB, byC] = await waitFor('a contender to take the expired lease', async () => {
    const both = await Promise.all([b.tryAcquire('demo-park.race-1'), c.tryAcquire('demo-park.race-1')]);
    return both.some(Boolean) ? both : undefined;
  });
  t.ok(!byB !== !byC, 'exactly one contender wins');
  const second = (byB ?? byC)!;
  t.ok(second.epoch > first!.epoch, `the new epoch ${second.epoch} is larger than ${first!.epoch}`);
  t.notOk(first!.valid(), 'the old holder knows its lease is no longer valid by its own clock');

  // A graceful release: another engine takes it at once.
  const [winner, loser] = byB ? [b, c] : [c, b];
  await second.release();
  t.equal(await second.lost, 'released');
  const third = await waitFor('the released lease to be taken', () => loser.tryAcquire('demo-park.race-1'), TTL_MS / 2);
  t.ok(third.epoch > second.epoch);

  // The holder whose key another took loses it on its next renewal (or sees it in its watch).
  const other = await winner.tryAcquire('x');
  await kv.put('x', JSON.stringify({ node: 'intruder', instance: 'intruder' }));
  t.match(await other!.lost, /taken by intruder|another engine/, 'a changed key ends the lease');

  // A restarted node takes its own lease back at once (node names are unique per engine process).
  const holder = loser === b ? 'b' : 'c';
  await loser.stop();
  const restarted = await createLeases({ kv, log }, { node: holder, ttlMs: TTL_MS });
  t.teardown(() => restarted.stop());
  const back = await waitFor('the same node to take its lease back', () => restarted.tryAcquire('demo-park.race-1'), TTL_MS / 2);
  t.ok(back.epoch > third.epoch);
});

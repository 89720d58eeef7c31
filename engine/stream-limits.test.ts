import { AckPolicy, DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { startEngine } from './engine.ts';
import { StreamLimitsError, watchConsumerLag, type ConsumerLag } from './stream-limits.ts';
import { startTestNats } from './testing/nats.ts';
import { waitFor } from './testing/wait.ts';

t.test('the engine refuses to start against a stream without limits', async (t) => {
  const nats = await startTestNats(t, { streams: false });
  const admin = await nats.connectAs('admin');
  const jsm = await jetstreamManager(admin);
  await jsm.streams.add({ name: 'EDGE', subjects: ['edge.>'] }); // no max_age, no max_bytes
  await jsm.streams.add({ name: 'RACE', subjects: ['timing.>'], max_age: 86_400_000_000_000, max_bytes: 1024 ** 2 });
  await new Kvm(admin).create('session-state');
  await new Kvm(admin).create('events');
  const error = await startEngine({ nc: await nats.connectAs('engine'), registry: new Registry(), log: () => undefined }, { node: 'x' }).then(
    (e) => e.stop(),
    (e: unknown) => e,
  );
  t.type(error, StreamLimitsError);
  t.match(String(error), /refusing to start: stream EDGE has no max_age and no max_bytes/);
});

t.test('a consumer whose backlog reaches half of its stream is reported once', async (t) => {
  const nats = await startTestNats(t, { streams: false });
  const admin = await nats.connectAs('admin');
  const jsm = await jetstreamManager(admin);
  await jsm.streams.add({ name: 'EDGE', subjects: ['edge.>'], max_bytes: 64 * 1024, max_age: 86_400_000_000_000, discard: DiscardPolicy.New });
  await jsm.consumers.add('EDGE', { durable_name: 'slow', ack_policy: AckPolicy.Explicit });
  const warnings: ConsumerLag[] = [];
  const watch = watchConsumerLag(admin, [{ stream: 'EDGE', consumer: 'slow' }], (lag) => warnings.push(lag), 50);
  t.teardown(() => watch.stop());
  const js = jetstream(admin);
  for (let i = 0; i < 20; i++) await js.publish('edge.t.d.passing', 'x'.repeat(1000)); // ~20 KB: under half
  await new Promise((r) => setTimeout(r, 200)); // several checks pass without a warning
  t.equal(warnings.length, 0, 'no warning below half');
  for (let i = 0; i < 20; i++) await js.publish('edge.t.d.passing', 'x'.repeat(1000)); // ~40 KB of 64 KB
  await waitFor('the warning', () => warnings.length > 0, 5000);
  t.ok(warnings[0]!.bytesShare >= 0.5, `backlog at ${Math.round(warnings[0]!.bytesShare * 100)}%`);
  t.ok(warnings[0]!.pending >= 25, `${warnings[0]!.pending} messages waiting`);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(warnings.length, 1, 'reported once, not every check');
});

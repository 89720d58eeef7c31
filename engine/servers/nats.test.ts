import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DiscardPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import t from 'tap';
import { ServerStartError } from '../errors.ts';
import { startTestNats } from '../testing/nats.ts';
import { binarySearchFromEnv, requireBinaries } from './binaries.ts';
import { startNats } from './nats.ts';
import { isAlive } from './server-process.ts';

const binary = requireBinaries(['nats-server'], binarySearchFromEnv(process.env), t.comment)['nats-server'];

/** Publishes and resolves with the server's verdict: 'refused' when it reports a permissions violation. */
async function tryPublish(nc: NatsConnection, subject: string): Promise<'accepted' | 'refused'> {
  const refused = (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && /Permissions Violation for Publish to "(.+)"/.exec(String(status.error))?.[1] === subject) {
        return 'refused' as const;
      }
    }
    return 'accepted' as const;
  })();
  nc.publish(subject, 'x');
  await nc.flush(); // the server has processed the publish (and sent any -ERR before the PONG)
  return Promise.race([refused, new Promise<'accepted'>((r) => setTimeout(() => r('accepted'), 200))]);
}

/** Subscribes and resolves 'refused' when the server rejects the subscription. */
async function trySubscribe(nc: NatsConnection, subject: string): Promise<'accepted' | 'refused'> {
  const sub = nc.subscribe(subject);
  const outcome = (async () => {
    try {
      for await (const _ of sub) break;
      return 'accepted' as const;
    } catch {
      return 'refused' as const;
    }
  })();
  await nc.flush();
  const verdict = await Promise.race([outcome, new Promise<'accepted'>((r) => setTimeout(() => r('accepted'), 200))]);
  if (!sub.isClosed()) sub.unsubscribe();
  return verdict;
}

t.test('each role publishes and subscribes only its own subjects', async (t) => {
  const nats = await startTestNats(t);
  const engine = await nats.connectAs('engine');
  const gateway = await nats.connectAs('gateway');
  const identity = await nats.connectAs('identity');
  const device = await nats.connectWith(await nats.server.addEdgeDevice('sebring', 'loop-1'));

  t.equal(await tryPublish(engine, 'timing.sebring.race-1.lap'), 'accepted');
  t.equal(await tryPublish(engine, 'view.sebring.race-1'), 'accepted');
  t.equal(await tryPublish(engine, 'edge.sebring.loop-1.passing'), 'refused', 'the engine does not speak for edge devices');
  t.equal(await tryPublish(engine, 'cmd.sebring.race-1.start'), 'refused', 'commands come from the gateway');

  t.equal(await tryPublish(gateway, 'cmd.sebring.race-1.start'), 'accepted');
  t.equal(await tryPublish(gateway, 'timing.sebring.race-1.lap'), 'refused', 'only the engine writes timing');
  t.equal(await tryPublish(gateway, '$JS.API.STREAM.DELETE.RACE'), 'refused', 'the gateway cannot delete streams');
  t.equal(await trySubscribe(gateway, 'view.sebring.race-1'), 'accepted');
  t.equal(await trySubscribe(gateway, 'gps.>'), 'accepted', 'every gateway sees the fixes any gateway accepted (live map)');
  t.equal(await trySubscribe(gateway, 'edge.>'), 'refused', 'raw edge data is not for the gateway');

  t.equal(await tryPublish(identity, '$KV.identity.accounts'), 'accepted');
  t.equal(await tryPublish(identity, '$KV.events.x'), 'refused', 'identity keeps to its own bucket');
  t.equal(await tryPublish(identity, 'timing.sebring.race-1.lap'), 'refused');

  t.equal(await tryPublish(device, 'edge.sebring.loop-1.passing'), 'accepted');
  t.equal(await tryPublish(device, 'edge.sebring.loop-2.passing'), 'refused', "another device's subject");
  t.equal(await tryPublish(device, 'edge.daytona.loop-1.passing'), 'refused', "another track's subject");
  t.equal(await trySubscribe(device, 'timing.sebring.*.flag'), 'accepted', 'flag lamps follow their track');
  t.equal(await trySubscribe(device, 'timing.sebring.*.lap'), 'refused');
});

t.test('JetStream works for each role within its rights', async (t) => {
  const nats = await startTestNats(t);
  const device = await nats.connectWith(await nats.server.addEdgeDevice('sebring', 'loop-1'));
  const ack = await jetstream(device).publish('edge.sebring.loop-1.passing', '{}', { msgID: 'loop-1:boot-1:1' });
  t.equal(ack.stream, 'EDGE');
  const again = await jetstream(device).publish('edge.sebring.loop-1.passing', '{}', { msgID: 'loop-1:boot-1:1' });
  t.ok(again.duplicate, 'a re-sent message id is dropped inside the dedupe window');

  const identity = await nats.connectAs('identity');
  const accounts = await new Kvm(identity).open('identity');
  await accounts.put('account.alice', 'x');
  t.equal((await accounts.get('account.alice'))?.string(), 'x', 'identity reads and writes its bucket');

  const gateway = await nats.connectAs('gateway');
  const events = await new Kvm(gateway).open('events');
  await events.put('sebring.2025-06-14', '{}');
  t.equal((await events.get('sebring.2025-06-14'))?.string(), '{}', 'the gateway writes event declarations');
});

t.test('streams and buckets exist with limits from day one', async (t) => {
  const nats = await startTestNats(t);
  const jsm = await jetstreamManager(await nats.connectAs('engine'));
  for (const name of ['EDGE', 'RACE']) {
    const { config } = await jsm.streams.info(name);
    t.ok(config.max_age > 0, `${name} has a max age`);
    t.ok(config.max_bytes > 0, `${name} has a max size`);
    t.equal(config.discard, DiscardPolicy.New, `${name} refuses new data when full`);
  }
  t.ok((await jsm.streams.info('EDGE')).config.duplicate_window > 0, 'EDGE dedupes message ids');
  const buckets = await jsm.streams.names().next();
  t.same(buckets.filter((n) => n.startsWith('KV_')).sort(), ['KV_events', 'KV_identity', 'KV_session-owner', 'KV_session-state']);
});

t.test('two servers started at once get their own ports', async (t) => {
  const [a, b] = await Promise.all([startTestNats(t, { streams: false }), startTestNats(t, { streams: false })]);
  t.not(a?.server.port, b?.server.port);
  for (const n of [a, b]) {
    const nc = await n!.connectAs('engine');
    t.ok(nc.info?.jetstream, 'JetStream is on');
  }
});

t.test('a server that fails to start reports its own message and leaves nothing running', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-nats-fail-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const taken = (blocker.address() as net.AddressInfo).port;

  const error = await startNats({ binary, dataDir, port: taken }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, ServerStartError);
  t.match((error as Error).message, /address already in use/i, "nats-server's own words");
  const log = fs.readFileSync(path.join(dataDir, 'nats', 'nats.log'), 'utf8');
  const pid = Number(/\[(\d+)\]/.exec(log)?.[1]);
  t.ok(pid > 0, 'the log names the server pid');
  t.notOk(isAlive(pid), 'the server is gone');
});

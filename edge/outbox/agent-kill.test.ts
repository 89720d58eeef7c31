import path from 'node:path';
import t from 'tap';
import type { EdgeRmonMessage } from '../../actors/contracts/rmonitor.ts';
import { startPitwall } from '../../engine/testing/cli.ts';
import { startTestNats, TEST_STREAM_LIMITS } from '../../engine/testing/nats.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { createReplayServer } from '../rmonitor/replay-server.ts';
import { capturePath } from '../rmonitor/testing/captures.ts';
import { readRmonStream } from '../rmonitor/testing/stream.ts';
import { inspectOutbox } from './disk-outbox.ts';

const TRACK = 'cota';
const DEVICE = 'orbits-1';

t.test('the agent killed with kill -9 while holding unacknowledged readings, restarted while NATS is still away: all delivered, none twice', async (t) => {
  // A 1 s dedupe window: a reading sent twice would stay twice in the stream, so "none twice" is the outbox's doing
  // (except the one reading whose acknowledgement the stop itself lost, below).
  const nats = await startTestNats(t, { limits: { ...TEST_STREAM_LIMITS, edgeDuplicateWindowSec: 1 } });
  const credentials = await nats.server.addEdgeDevice(TRACK, DEVICE);
  const feed = await createReplayServer({ file: capturePath('redmist/TestGap.txt'), port: 0, speed: 40 });
  t.teardown(() => feed.stop());
  const outbox = path.join(nats.dataDir, 'rmonitor-outbox');
  const startAgent = () => {
    const agent = startPitwall([
      'edge', 'rmonitor', '--track', TRACK, '--device', DEVICE, '--host', '127.0.0.1', '--port', String(feed.port),
      '--nats', nats.server.url, '--user', credentials.user, '--password', credentials.pass, '--outbox', outbox,
    ]);
    t.teardown(() => agent.child.kill('SIGKILL'));
    return agent;
  };

  const first = startAgent();
  await waitFor('lines acknowledged', () => inspectOutbox(outbox).acked >= 100, 60_000);
  await nats.stop();
  await waitFor('lines held while NATS is away', () => inspectOutbox(outbox).pending >= 100, 60_000);
  first.child.kill('SIGKILL');
  await first.exited;
  const held = inspectOutbox(outbox);
  t.ok(held.lockedBy === undefined, 'the dead agent holds no lock');
  t.comment(`killed holding ${held.pending} unacknowledged lines (acknowledged ${held.acked}, taken ${held.lastIndex})`);

  // Started again while NATS is still away: it reads the feed into the outbox behind what the first run left.
  const second = startAgent();
  await waitFor('the restarted agent taking lines before NATS is back', () => inspectOutbox(outbox).lastIndex > held.lastIndex + 20, 60_000);
  await nats.restart();
  const engine = await nats.connectAs('engine');
  const firstBoot = async () => {
    const all = await readRmonStream(engine, TRACK, DEVICE);
    const boot = all[0]!.msg.boot;
    return { all, boot, mine: all.filter((m) => m.msg.boot === boot) };
  };
  await waitFor('every line the first run took, in the stream', async () => (await firstBoot()).mine.length >= held.lastIndex, 60_000);
  await waitFor('the outbox empty', () => inspectOutbox(outbox).pending === 0, 60_000);
  const { all, boot, mine } = await firstBoot();
  // The one reading in flight when NATS stopped may be stored while its acknowledgement is lost: the outbox sends it
  // again (at least once), past the 1 s window; the session actor drops such a copy by its reading id.
  const seqs = mine.map((m) => m.msg.seq);
  t.ok(seqs.length - new Set(seqs).size <= 1, `at most the reading in flight at the stop stored twice (${seqs.length - new Set(seqs).size})`);
  t.same([...new Set(seqs)], Array.from({ length: held.lastIndex }, (_, i) => i + 1), `the first run's ${held.lastIndex} lines: each, in order`);
  t.ok(mine.every((m) => m.msgId === `${DEVICE}:${boot}:${m.msg.seq}`), 'with their original reading ids');
  const firstOfSecond = all.findIndex((m) => m.msg.boot !== boot);
  t.ok(firstOfSecond === -1 || firstOfSecond === mine.length, 'and before anything the restarted agent read');
  t.ok(all.filter((m) => m.msg.boot !== boot).every((m: { msg: EdgeRmonMessage }, i) => m.msg.seq === i + 1), 'the restarted agent counts its own boot from 1');
  t.match(second.stderr(), new RegExp(`${held.pending} readings from an earlier run are sent first`), 'the restarted agent says what it found');
  t.match(second.stderr(), /NATS unreachable .*readings are kept meanwhile/, 'and that NATS was away when it started');

  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'SIGTERM stops the agent');
});

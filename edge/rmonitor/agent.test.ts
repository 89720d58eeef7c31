import net from 'node:net';
import t from 'tap';
import type { RmonAgentHealth } from '../../actors/contracts/rmonitor.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { createRmonitorAgent } from './agent.ts';
import { readCapture } from './capture.ts';
import { createReplayServer, isFeedLine } from './replay-server.ts';
import { capturePath } from './testing/captures.ts';
import { readRmonStream, waitFor } from './testing/stream.ts';

const TRACK = 'cota';
const GAP = capturePath('redmist/TestGap.txt');
const FAST_BACKOFF = { initialMs: 20, maxMs: 200 };

/** The lines a replay of TestGap.txt serves, with their file line numbers. */
async function feedLines(fromLine = 1): Promise<{ line: number; raw: string }[]> {
  const out: { line: number; raw: string }[] = [];
  for await (const e of readCapture(GAP)) if (e.line >= fromLine && isFeedLine(e)) out.push({ line: e.line, raw: e.raw });
  return out;
}

t.test('replay at max speed → agent → JetStream: every record once, in order', async (t) => {
  const nats = await startTestNats(t);
  const device = 'orbits-1';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const replay = await createReplayServer({ file: GAP, port: 0, speed: 'max' });
  t.teardown(() => replay.stop());
  const healths: RmonAgentHealth[] = [];
  const engine = await nats.connectAs('engine');
  engine.subscribe(`edge.${TRACK}.${device}.health`, { callback: (_e, m) => void healths.push(m.json<RmonAgentHealth>()) });
  await engine.flush();

  const agent = createRmonitorAgent({ nc }, { track: TRACK, device, host: '127.0.0.1', port: replay.port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());
  const expected = await feedLines();
  t.equal(expected.length, 2136, 'TestGap.txt serves 2136 lines');
  await waitFor('every line acked', () => agent.health().ackedSeq === expected.length);

  const got = await readRmonStream(engine, TRACK, device);
  t.equal(got.length, expected.length, 'the stream holds each line once');
  t.same(got.map((g) => g.msg.raw), expected.map((e) => e.raw), 'in order, as served');
  t.same(got.map((g) => g.msg.seq), expected.map((_, i) => i + 1), 'seq 1..n');
  const boot = got[0]!.msg.boot;
  t.ok(got.every((g) => g.msgId === `${device}:${boot}:${g.msg.seq}`), 'message ids are device:boot:seq');
  t.match(got[0]!.msg, { type: 'rmon', device, record: { type: 'I' } });
  t.ok(got.every((g) => g.msg.record && !g.msg.error), 'TestGap has no bad RMonitor line');

  const h = agent.health();
  t.match(h, { connected: true, records: 2136, reconnects: 0, outageCount: 0, errors: {} });
  t.match(h.recordsByType, { F: 557, J: 185, G: 503, H: 413 });
  await waitFor('a health message saying connected', () => healths.some((x) => x.connected && x.boot === boot));
});

t.test('the replay server dies mid-stream and comes back at a later line: reconnect, outage, nothing twice', async (t) => {
  const nats = await startTestNats(t);
  const device = 'orbits-2';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const engine = await nats.connectAs('engine');

  // The first replay is slow enough to be killed in the middle (the condition below, not the speed, decides when).
  const first = await createReplayServer({ file: GAP, port: 0, speed: 40 });
  t.teardown(() => first.stop());
  const port = first.port;

  const agent = createRmonitorAgent({ nc }, { track: TRACK, device, host: '127.0.0.1', port, backoff: FAST_BACKOFF });
  t.teardown(() => agent.stop());
  await waitFor('200 records from the first replay', () => agent.health().records >= 200);
  await first.stop(); // listener closed, every client cut: the feed is gone
  await waitFor('the agent sees the outage', () => !agent.health().connected && agent.health().outageCount === 1);
  const receivedBefore = agent.health().records + Object.values(agent.health().errors).reduce((a, b) => a + (b ?? 0), 0);

  const FROM = 3000;
  const second = await createReplayServer({ file: GAP, port, speed: 'max', fromLine: FROM });
  t.teardown(() => second.stop());

  const later = await feedLines(FROM);
  const total = receivedBefore + later.length;
  await waitFor('every line of both replays acked', () => agent.health().ackedSeq === total);

  const h = agent.health();
  t.equal(h.reconnects, 1, 'one reconnect');
  t.equal(h.outageCount, 1, 'one outage');
  t.ok(h.outages[0]!.endUs! > h.outages[0]!.startUs, 'the outage has a start and an end');

  const got = await readRmonStream(engine, TRACK, device);
  t.equal(got.length, total, 'every line received is in the stream exactly once');
  t.same(got.map((g) => g.msg.seq), got.map((_, i) => i + 1), 'in order, no gap, no duplicate');
  const all = await feedLines();
  t.same(got.slice(0, receivedBefore).map((g) => g.msg.raw), all.slice(0, receivedBefore).map((e) => e.raw), 'the first replay from its start');
  t.same(got.slice(receivedBefore).map((g) => g.msg.raw), later.map((e) => e.raw), 'then the second from line 3000');
  t.comment(`received ${receivedBefore} lines before the kill and ${later.length} after`);
});

t.test('bad input from the feed: typed errors with line numbers, counted per kind, published; the stream goes on', async (t) => {
  const nats = await startTestNats(t);
  const device = 'orbits-3';
  const nc = await nats.connectWith(await nats.server.addEdgeDevice(TRACK, device));
  const engine = await nats.connectAs('engine');
  const open = new Set<net.Socket>();
  const feed = net.createServer((s) => {
    open.add(s);
    s.write('\uFEFF$F,9999,"04:23:19","10:36:40","02:36:40","Green "\r\n');
    s.write('garbage\r\n$J,"91"\r\n' + 'X'.repeat(5000));
    s.write('X'.repeat(5000) + '\r\n$G,1,"70",,"00:00:00.000"$H,1,"70",0,"00:00:00.000"\r\n');
  });
  await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    feed.close(() => r());
    for (const s of open) s.destroy();
  }));
  const port = (feed.address() as net.AddressInfo).port;
  const agent = createRmonitorAgent({ nc }, { track: TRACK, device, host: '127.0.0.1', port, backoff: FAST_BACKOFF, maxLineLength: 200 });
  t.teardown(() => agent.stop());
  await waitFor('six lines acked', () => agent.health().ackedSeq === 6);
  t.match(agent.health(), { records: 3, recordsByType: { F: 1, G: 1, H: 1 }, errors: { 'not-a-record': 1, 'field-count': 1, 'too-long': 1 } });
  const got = await readRmonStream(engine, TRACK, device);
  t.same(got.map((g) => g.msg.record?.type ?? g.msg.error!.kind), ['F', 'not-a-record', 'field-count', 'too-long', 'G', 'H']);
  t.match(got[2]!.msg.error!.message, /^line 3: field-count/);
  t.match(got[3]!.msg.error!.message, /^line 4: too-long/);
  t.match(got[4]!.msg, { raw: '$G,1,"70",,"00:00:00.000"' });
});

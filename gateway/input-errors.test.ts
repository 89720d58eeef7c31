import { encode } from '@msgpack/msgpack';
import t from 'tap';
import { startTestNats } from '../engine/testing/nats.ts';
import { startFakeEngine } from './testing/fake-engine.ts';
import { startTestGateway, type TestGateway } from './testing/gateway.ts';
import { sampleView } from './testing/race-views.ts';
import { waitFor } from './testing/wait.ts';
import { openFrameSocket } from './testing/frame-socket.ts';

const nats = await startTestNats(t, { streams: false });
const engine = await startFakeEngine(await nats.connectAs('engine'), { view: sampleView({ track: 'sebring', session: 'race-1' }), seq: 7 });
const gw = await startTestGateway(t, await nats.connectAs('gateway'));

/** A bare WebSocket that records the frames it gets, to send what a well-behaved client never would. */
async function rawSocket() {
  const socket = await openFrameSocket(t, gw.wsUrl);
  t.match(socket.frames[0], { type: 'hello', protocol: 1 });
  return socket;
}

const kinds = ['undecodable_frame', 'unknown_type', 'bad_message', 'unknown_session'] as const;
const counters = async (g: TestGateway) =>
  Object.fromEntries(await Promise.all(kinds.map(async (kind) => [kind, await g.metric('pitwall_input_errors_total', { kind })])));

const cases: { name: string; kind: (typeof kinds)[number]; send: Uint8Array | string; error?: object }[] = [
  { name: 'undecodable bytes', kind: 'undecodable_frame', send: Uint8Array.of(0xc1, 0xff, 0x00) },
  { name: 'a text frame', kind: 'undecodable_frame', send: '{"type":"subscribe"}' },
  { name: 'a MessagePack value that is no map', kind: 'undecodable_frame', send: encode([1, 2, 3]) },
  { name: 'an unknown type', kind: 'unknown_type', send: encode({ type: 'subscribe-all', track: 'sebring', session: 'race-1' }) },
  { name: 'a track that is no slug', kind: 'bad_message', send: encode({ type: 'subscribe', track: 'Sebring.*', session: 'race-1' }) },
  { name: 'a missing session', kind: 'bad_message', send: encode({ type: 'subscribe', track: 'sebring' }) },
  { name: 'a resync without a subscription', kind: 'bad_message', send: encode({ type: 'resync', track: 'sebring', session: 'race-1' }) },
  {
    name: 'an unknown session',
    kind: 'unknown_session',
    send: encode({ type: 'subscribe', track: 'sebring', session: 'no-such-race' }),
    error: { track: 'sebring', session: 'no-such-race' },
  },
];

for (const c of cases) {
  t.test(`${c.name}: counted once as ${c.kind}, an error frame, the connection stays usable`, async (t) => {
    const { ws, frames } = await rawSocket();
    const before = await counters(gw);
    ws.send(c.send);
    await waitFor(() => frames.some((f) => f.type === 'error'), 'the error frame');
    t.match(frames.find((f) => f.type === 'error'), { type: 'error', code: c.kind, message: String, ...c.error });
    const after = await counters(gw);
    t.same(after, { ...before, [c.kind]: (before[c.kind] ?? 0) + 1 }, `${c.kind} rose by exactly 1, the others not at all`);

    ws.send(encode({ type: 'subscribe', track: 'sebring', session: 'race-1' }));
    await waitFor(() => frames.some((f) => f.type === 'snapshot'), 'the snapshot after the error');
    t.match(frames.find((f) => f.type === 'snapshot'), { type: 'snapshot', track: 'sebring', session: 'race-1', seq: engine.seq() });
    t.same(await counters(gw), after, 'the valid subscribe counted no error');
  });
}

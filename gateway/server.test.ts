import { decode } from '@msgpack/msgpack';
import t from 'tap';
import WebSocket from 'ws';
import { startTestNats } from '../engine/testing/nats.ts';
import { startFakeEngine } from './testing/fake-engine.ts';
import { startTestClient, startTestGateway } from './testing/gateway.ts';
import { createRaceSteps, sampleView } from './testing/race-views.ts';
import { waitFor } from './testing/wait.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');

t.test('a client gets the snapshot, then diffs, and ends with the engine view', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-1', lapsToGo: 20 }), seq: 40 });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  const seen: { seq: number; kind: string }[] = [];
  const client = startTestClient(t, gw.wsUrl, { onView: (_t, _s, _v, seq) => seen.push({ seq, kind: 'view' }) });
  client.subscribe('sebring', 'race-1');
  await waitFor(() => client.seq('sebring', 'race-1') === 40, 'the snapshot');
  t.same(client.view('sebring', 'race-1'), engine.view(), 'snapshot is the engine view');

  const step = createRaceSteps();
  for (let i = 0; i < 30; i++) await engine.update(step(engine.view()));
  await waitFor(() => client.seq('sebring', 'race-1') === engine.seq(), 'the last diff');
  t.same(client.view('sebring', 'race-1'), engine.view(), 'diffs applied: equal to the engine view');
  t.same(seen.map((s) => s.seq), Array.from({ length: engine.seq() - 39 }, (_, i) => 40 + i), 'consecutive seqs, none missed');
  t.equal(engine.snapshotRequests(), 1, 'one snapshot request');
  t.notOk(client.statuses.some((s) => s.kind === 'resync' || s.kind === 'error'), 'no resync, no error');
  t.ok(await gw.metric('pitwall_gateway_frames_sent_total') >= 31, 'frames counted');
  t.ok(await gw.metric('pitwall_gateway_bytes_sent_total') > 0, 'bytes counted');
  t.equal(await gw.metric('pitwall_gateway_connections'), 1, 'one connection');
});

t.test('a gap in the engine diffs: the gateway and the client resync and end equal', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-2' }) });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  const client = startTestClient(t, gw.wsUrl);
  client.subscribe('sebring', 'race-2');
  await waitFor(() => client.seq('sebring', 'race-2') === 1, 'the snapshot');
  const step = createRaceSteps(3);
  await engine.update(step(engine.view()));
  await engine.update(step(engine.view()), { lose: true }); // seq 3 never reaches anyone
  await engine.update(step(engine.view()));
  await waitFor(() => client.seq('sebring', 'race-2') === engine.seq(), 'the snapshot after the gap');
  t.same(client.view('sebring', 'race-2'), engine.view(), 'equal again after the gap');
  t.equal(engine.snapshotRequests(), 2, 'the gateway asked the engine again');
  t.equal(await gw.metric('pitwall_gateway_resyncs_total'), 1, 'one resync counted');
  for (let i = 0; i < 5; i++) await engine.update(step(engine.view()));
  await waitFor(() => client.seq('sebring', 'race-2') === engine.seq(), 'diffs after the resync');
  t.same(client.view('sebring', 'race-2'), engine.view(), 'and diffs go on after it');
});

t.test('a client that misses a frame asks for a resync and gets the current view', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-3' }) });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  // Drops the first diff frame on the client side, as if backpressure had skipped it.
  let dropped = false;
  const { default: WS } = await import('ws');
  class LossyWebSocket extends WS {
    constructor(url: string) {
      super(url);
      this.binaryType = 'arraybuffer';
      const deliver = this.emit.bind(this);
      this.emit = (event: string | symbol, ...args: unknown[]) => {
        if (event === 'message' && !dropped && (decode(args[0] as ArrayBuffer) as { type?: string }).type === 'diff') {
          dropped = true;
          return true;
        }
        return deliver(event, ...args);
      };
    }
  }
  const client = startTestClient(t, gw.wsUrl, { WebSocket: LossyWebSocket });
  client.subscribe('sebring', 'race-3');
  await waitFor(() => client.seq('sebring', 'race-3') === 1, 'the snapshot');
  const step = createRaceSteps(5);
  for (let i = 0; i < 3; i++) await engine.update(step(engine.view()));
  await waitFor(() => client.seq('sebring', 'race-3') === engine.seq(), 'the resync snapshot');
  t.ok(dropped, 'a diff was dropped');
  t.ok(client.statuses.some((s) => s.kind === 'resync'), 'the client asked for a resync');
  t.same(client.view('sebring', 'race-3'), engine.view(), 'equal after the resync');
  t.equal(engine.snapshotRequests(), 1, 'served from the gateway view: no new request to the engine');
});

t.test('a late joiner gets the materialised view without asking the engine', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'daytona', session: 'q-1' }) });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  const first = startTestClient(t, gw.wsUrl);
  first.subscribe('daytona', 'q-1');
  const step = createRaceSteps(9);
  await waitFor(() => first.seq('daytona', 'q-1') === 1, 'the first snapshot');
  for (let i = 0; i < 4; i++) await engine.update(step(engine.view()));
  await waitFor(() => first.seq('daytona', 'q-1') === engine.seq(), 'the diffs');
  const late = startTestClient(t, gw.wsUrl);
  late.subscribe('daytona', 'q-1');
  await waitFor(() => late.seq('daytona', 'q-1') === engine.seq(), 'the late snapshot');
  t.same(late.view('daytona', 'q-1'), engine.view());
  t.equal(engine.snapshotRequests(), 1, 'one request for both clients');
  await engine.update(step(engine.view()));
  await waitFor(() => late.seq('daytona', 'q-1') === engine.seq() && first.seq('daytona', 'q-1') === engine.seq(), 'both get the next diff');
  t.same(late.view('daytona', 'q-1'), first.view('daytona', 'q-1'));
});

t.test('/api/sessions lists the sessions of engines heard from', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'daytona', session: 'race-9' }), node: 'node-a' });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  const sessions = async () => ((await (await fetch(`${gw.url}/api/sessions`)).json()) as { sessions: unknown[] }).sessions;
  t.same(await sessions(), [], 'none before a health message');
  await engine.health();
  let listed: unknown[] = [];
  await waitFor(async () => (listed = await sessions()).length > 0, 'the session listed');
  t.same(listed, [{ track: 'daytona', event: 'test-meeting', session: 'race-9', name: 'Race 1', type: 'race', state: 'running', node: 'node-a' }]);
});

t.test('unknown paths are 404; the page and the bundles are served', async (t) => {
  const gw = await startTestGateway(t, gatewayNc);
  t.equal((await fetch(`${gw.url}/nope`)).status, 404);
  const page = await fetch(`${gw.url}/`);
  t.match(page.headers.get('content-type'), /text\/html/);
  t.match(await page.text(), /<table id="board"/);
  const client = await fetch(`${gw.url}/client.js`);
  t.match(client.headers.get('content-type'), /javascript/);
  t.match(await client.text(), /createTimingClient/, 'the client library exports createTimingClient');
  t.equal((await fetch(`${gw.url}/spectator.js`)).status, 200);
});

t.test('the client reconnects with backoff and resubscribes after losing its connection', async (t) => {
  // (Not by restarting the gateway on the same port: uWS does not set SO_REUSEADDR, so after the server closed
  // connections the port stays taken while they sit in TIME_WAIT.)
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'daytona', session: 'race-5' }) });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  const opened: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      opened.push(this);
    }
  }
  const client = startTestClient(t, gw.wsUrl, { WebSocket: TrackedWebSocket });
  client.subscribe('daytona', 'race-5');
  await waitFor(() => client.seq('daytona', 'race-5') === 1, 'the snapshot');
  opened[0]?.terminate(); // the connection drops without a close handshake
  await waitFor(() => client.statuses.some((s) => s.kind === 'closed' && s.retryInMs !== undefined), 'the client to see the loss');
  const step = createRaceSteps(2);
  for (let i = 0; i < 3; i++) await engine.update(step(engine.view())); // published while it may still be away
  await waitFor(() => opened.length === 2 && client.seq('daytona', 'race-5') === engine.seq(), 'a new connection and its snapshot');
  t.same(client.view('daytona', 'race-5'), engine.view(), 'caught up');
  await engine.update(step(engine.view()));
  await waitFor(() => client.seq('daytona', 'race-5') === engine.seq(), 'a diff after the reconnect');
  t.same(client.view('daytona', 'race-5'), engine.view());
  t.equal(client.statuses.filter((s) => s.kind === 'open').length, 2, 'opened twice');
  await waitFor(async () => (await gw.metric('pitwall_gateway_connections')) === 1, 'the gateway to count one connection');
});

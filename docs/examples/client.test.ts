import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import WebSocket from 'ws';
import { createSimulator } from '../../edge/sim/simulator.ts';
import { readDeclarationFile } from '../../engine/declarations/read.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { DEMO_EVENT_FILE } from '../../engine/demo.ts';
import { startEngine } from '../../engine/engine.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { createTimingClient, type WebSocketConstructor } from '../../gateway/client/index.ts';
import { startFakeEngine } from '../../gateway/testing/fake-engine.ts';
import { startTestGateway } from '../../gateway/testing/gateway.ts';
import { createRaceSteps, sampleView } from '../../gateway/testing/race-views.ts';
import { startPythonClient } from './testing/python-client.ts';

// docs/examples/client.py, the Python client written from docs/protocol.md, against the real gateway.

t.test('client.py stays in sync with the TypeScript client for a whole simulated race', async (t) => {
  const nats = await startTestNats(t);
  const log = (line: string) => t.comment(line);
  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, 12) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);

  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry: new Registry(), log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, await nats.connectAs('gateway'));

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sim = createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: 12, speed: 'max', seed: 11 },
  );
  const host = await waitFor('the session actor', () => engine.session(track, session.id));
  await waitFor('a first view', () => host.published().view);

  const ts = createTimingClient({ url: gw.wsUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
  t.teardown(() => ts.close());
  ts.subscribe(track, session.id);
  const py = startPythonClient(t, gw.wsUrl, track, session.id);

  await sim.done;
  await waitFor('RACE to settle', async () => host.appliedStreamSeq() >= (await readRaceEvents(engineNc, track, session.id)).lastSeq);
  // Settled: the session finished and both clients hold the engine's last published seq.
  const finalSeq = await waitFor('both clients at the last seq of the finished session', () => {
    const { seq, view } = host.published();
    return view?.state === 'finished' && ts.seq(track, session.id) === seq && py.lastSeq() === seq ? seq : undefined;
  });
  const final = await py.finish();
  t.equal(final.seq, finalSeq, 'same seq');
  t.same(final.view, ts.view(track, session.id), 'same view, header and standings, as the TypeScript client');
  t.equal(final.view?.state, 'finished', 'the race finished');
  t.ok(py.events.filter((e) => e.kind === 'diff').length > 10, `applied ${py.events.filter((e) => e.kind === 'diff').length} diffs`);
  t.notOk(py.events.some((e) => e.kind === 'error' || e.kind === 'warning'), 'no error or warning');
});

t.test('client.py detects a gap, resyncs and ends equal to the engine', async (t) => {
  const nats = await startTestNats(t, { streams: false });
  const engine = await startFakeEngine(await nats.connectAs('engine'), { view: sampleView({ track: 'sebring', session: 'race-9' }), seq: 10 });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, await nats.connectAs('gateway'));
  const py = startPythonClient(t, gw.wsUrl, 'sebring', 'race-9', ['--drop-diff', '13']);
  await waitFor('the snapshot', () => py.lastSeq() === 10);
  const step = createRaceSteps(9);
  for (let i = 0; i < 12; i++) await engine.update(step(engine.view()));
  await waitFor('client.py at the engine seq', () => py.lastSeq() === engine.seq());
  const final = await py.finish();
  t.same(py.events.filter((e) => e.kind === 'resync'), [{ kind: 'resync', expected: 13, got: 14 }], 'one resync, at the gap');
  t.equal(py.events.filter((e) => e.kind === 'snapshot').length, 2, 'the first snapshot and the resync answer');
  t.equal(final.seq, engine.seq());
  t.same(final.view, engine.view(), "the engine's view");
});

t.test('client.py applies clear markers and a new order', async (t) => {
  const nats = await startTestNats(t, { streams: false });
  const first = sampleView({ track: 'sebring', session: 'race-8' });
  const engine = await startFakeEngine(await nats.connectAs('engine'), { view: first });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, await nats.connectAs('gateway'));
  const py = startPythonClient(t, gw.wsUrl, 'sebring', 'race-8');
  await waitFor('the snapshot', () => py.lastSeq() === 1);
  const step = createRaceSteps(4);
  let view = first;
  for (let i = 0; i < 8; i++) view = step(view);
  await engine.update(view);
  // The leader loses its gap fields' counterpart: remainingLaps cleared from the header, a car removed, order reversed.
  const { remainingLaps: _gone, ...header } = view;
  const rows = [...view.rows].reverse().slice(1).map(({ lastLapUs: _l, ...row }) => row);
  await engine.update({ ...header, rows });
  await waitFor('client.py at the engine seq', () => py.lastSeq() === engine.seq());
  const final = await py.finish();
  t.same(final.view, engine.view(), 'fields cleared, car removed, new order');
});

import t from 'tap';
import { startTestNats } from '../../engine/testing/nats.ts';
import { startFakeEngine } from '../testing/fake-engine.ts';
import { startTestClient, startTestGateway } from '../testing/gateway.ts';
import { createRaceSteps, sampleView } from '../testing/race-views.ts';
import { waitFor } from '../testing/wait.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');

t.test('ready when NATS answers and a live session answers a snapshot request; not ready when it does not', async (t) => {
  const gw = await startTestGateway(t, gatewayNc, { snapshotTimeoutMs: 300 });
  const ready = async () => {
    const res = await fetch(`${gw.url}/healthz/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { ok: boolean; message?: string }> } };
  };
  const idle = await ready();
  t.equal(idle.status, 200, 'no live session: ready');
  t.match(idle.body, { status: 'ready', checks: { nats: { ok: true }, snapshot: { ok: true, message: 'no live session to ask' } } });

  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-4' }), seq: 7 });
  await engine.health();
  await waitFor(async () => (await ready()).body.checks.snapshot?.message === 'sebring/race-4 answered at seq 7', 'the snapshot check');
  t.equal((await ready()).status, 200, 'a live session answering: ready');

  await engine.stop(); // its health is still fresh, but nobody answers snapshot requests
  const broken = await ready();
  t.equal(broken.status, 503, 'snapshot path broken: 503');
  t.match(broken.body, { status: 'not_ready', checks: { nats: { ok: true }, snapshot: { ok: false, message: /not a live session/ } } });
  t.equal((await fetch(`${gw.url}/healthz/live`)).status, 200, 'still live');
});

t.test('/metrics: input lag per followed session and frames dropped', async (t) => {
  const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-5' }) });
  t.teardown(() => engine.stop());
  const gw = await startTestGateway(t, gatewayNc);
  t.equal(await gw.metric('pitwall_gateway_frames_dropped_total'), 0, 'frames dropped shows from the start');
  const client = startTestClient(t, gw.wsUrl);
  client.subscribe('sebring', 'race-5');
  await waitFor(() => client.seq('sebring', 'race-5') === 1, 'the snapshot');
  const step = createRaceSteps(2);
  await engine.update(step(engine.view()));
  await waitFor(() => client.seq('sebring', 'race-5') === 2, 'a diff');
  const age = await gw.metric('pitwall_gateway_view_age_seconds', { track: 'sebring', session: 'race-5' });
  t.ok(age >= 0 && age < 5, `age of the last diff: ${age} s`);
  client.unsubscribe('sebring', 'race-5');
  await waitFor(async () => !(await (await fetch(`${gw.url}/metrics`)).text()).includes('session="race-5"'), 'the session to leave the gauge');
});

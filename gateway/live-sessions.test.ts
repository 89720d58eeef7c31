import t from 'tap';
import { subjects } from '../actors/contracts/subjects.ts';
import { startTestNats } from '../engine/testing/nats.ts';
import { createLiveSessions } from './live-sessions.ts';
import { waitFor } from './testing/wait.ts';

const nats = await startTestNats(t, { streams: false });
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');

const health = async (node: string, sessions: object[]) => {
  engineNc.publish(subjects.engineHealth(node), JSON.stringify({ node, sessions }));
  await engineNc.flush();
};
const session = (s: string) => ({ track: 'sebring', event: 'e-1', session: s, name: s, type: 'race', state: 'running' });

t.test('sessions by node; a node silent for staleMs is dropped; bad health is counted', async (t) => {
  let now = 1_000_000;
  let bad = 0;
  const live = createLiveSessions({ nc: gatewayNc, log: (l) => t.comment(l), now: () => now, badInput: () => bad++ }, { staleMs: 5000 });
  t.teardown(() => live.stop());
  await gatewayNc.flush();
  await health('node-a', [session('race-2'), session('race-1')]);
  await health('node-b', [session('q-1')]);
  await waitFor(() => live.list().length === 3, 'both nodes');
  t.same(live.list().map((s) => `${s.node}:${s.session}`), ['node-b:q-1', 'node-a:race-1', 'node-a:race-2'], 'sorted by track then session');

  now += 4000;
  await health('node-b', [session('q-1'), session('q-2')]);
  await waitFor(() => live.list().some((s) => s.session === 'q-2'), 'node-b heard again');
  now += 1001; // node-a last heard 5001 ms ago, node-b 1001 ms ago
  t.same(live.list().map((s) => s.node), ['node-b', 'node-b'], 'node-a dropped after 5 s of silence');

  engineNc.publish(subjects.engineHealth('node-c'), 'not json');
  engineNc.publish(subjects.engineHealth('node-c'), JSON.stringify({ node: 'node-c', sessions: [{ track: 1 }] }));
  await engineNc.flush();
  await waitFor(() => bad === 2, 'both bad messages counted');
  t.same(live.list().map((s) => s.node), ['node-b', 'node-b'], 'bad health changes nothing');
});

import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import WebSocket from 'ws';
import type { EdgePassing } from '../actors/contracts/events.ts';
import { readingMsgId } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { foldSession } from '../actors/session-actor.ts';
import { createSimulator } from '../edge/sim/simulator.ts';
import { createTimingClient, type WebSocketConstructor } from '../gateway/client/index.ts';
import { createGateway } from '../gateway/server.ts';
import { ensureSchema } from './clickhouse/schema.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { startEngine } from './engine.ts';
import { startLapSink } from './lap-sink.ts';
import { useTestClickHouse } from './testing/clickhouse.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { waitFor } from './testing/wait.ts';

const inputErrorCount = async (registry: Registry, kind: string) => {
  const metric = await registry.getSingleMetric('pitwall_input_errors_total')?.get();
  return metric?.values.find((v) => v.labels.kind === kind)?.value ?? 0;
};

t.test('a simulated race at full speed: edge → engine → gateway → client, and every lap in ClickHouse', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);

  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, 12) }; // the entry list of this race
  const session = declaration.sessions.find((s) => s.id === 'race-2')!; // 20 laps
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);

  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const sink = await startLapSink({ nc: engineNc, clickhouse: ch, registry, log }, { maxWaitMs: 1000 });
  t.teardown(() => sink.stop());
  const gateway = await createGateway({ nc: await nats.connectAs('gateway'), registry, log }, { host: '127.0.0.1', port: 0 });
  t.teardown(() => gateway.stop());

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sim = createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, cars: 12, speed: 'max', seed: 3 },
  );

  // A spectator joins while the race runs.
  const host = await waitFor('the session actor', () => engine.session(track, session.id));
  await waitFor('a first view', () => host.published().view);
  const client = createTimingClient({ url: `ws://127.0.0.1:${gateway.port}/ws`, WebSocket: WebSocket as unknown as WebSocketConstructor });
  t.teardown(() => client.close());
  client.subscribe(track, session.id);

  const summary = await sim.done;
  t.ok(summary.passings > 12 * 15, `the simulator published ${summary.passings} passings`);

  // A passing of a transponder nobody declared is counted, and the race goes on.
  const unassignedBefore = await inputErrorCount(registry, 'unassigned_passing');
  const stray: EdgePassing = { type: 'passing', device: 'sim', boot: 'stray', seq: 1, atUs: Date.now() * 1000, precisionUs: 1000, source: 'sim', transponder: 'nobody' };
  await jetstream(device).publish(subjects.edge(track, 'sim', 'passing'), JSON.stringify(stray), { msgID: readingMsgId(stray) });
  await waitFor('the stray passing counted', async () => (await inputErrorCount(registry, 'unassigned_passing')) === unassignedBefore + 1);

  // Everything in RACE applied, published, and received by the client.
  const race = await waitFor('RACE to settle', async () => {
    const events = await readRaceEvents(engineNc, track, session.id);
    return host.appliedStreamSeq() >= events.lastSeq ? events : undefined;
  });
  const offline = foldSession(race.inputs, { track, event: declaration.event, session: session.id });
  await waitFor('the published view to catch up', () => JSON.stringify(host.published().view) === JSON.stringify(offline));
  const final = await waitFor('the client to reach the last seq', () =>
    client.seq(track, session.id) === host.published().seq ? client.view(track, session.id) : undefined,
  );
  t.same(final, offline, "the spectator's standings are exactly the reducer's, computed offline from RACE");
  t.equal(offline.rows.length, 12);
  t.ok(offline.rows[0]!.laps >= 20, `the winner did ${offline.rows[0]!.laps} laps`);
  t.equal(offline.state, 'finished', 'the session finished');

  // One ClickHouse row per completed lap.
  const lapsInRace = race.laps.length;
  t.equal(lapsInRace, offline.rows.reduce((sum, r) => sum + r.laps, 0), 'one lap event per lap counted');
  await waitFor('the sink to insert every lap', () => sink.inserted() >= lapsInRace);
  const [count] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM laps FINAL WHERE session = '${session.id}'`);
  t.equal(Number(count?.n), lapsInRace, 'laps holds one row per completed lap');
});

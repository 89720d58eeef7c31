import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage, type SessionInput } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { foldSession } from '../../actors/session-actor.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { putDeclaration } from '../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { startEngine, type Engine } from '../engine.ts';
import { snapshotKey } from '../session-snapshot.ts';
import { canonicalJson } from '../testing/canonical-json.ts';
import { startTestNats } from '../testing/nats.ts';
import { readRaceEvents } from '../testing/race-events.ts';
import { waitFor } from '../testing/wait.ts';

const SECOND = 1_000_000;

/**
 * The worst case of a frozen owner: its write was already on its way when it froze, so no check of its own can stop
 * it, and it lands in RACE after the next owner's marker. That write is put on the wire here exactly as the frozen
 * owner would have sent it (the old epoch in `lease`); the new owner, a full replay and the offline fold ignore it.
 */
t.test('a stale owner write that lands after the takeover is ignored live and in a replay, and counted', async (t) => {
  const nats = await startTestNats(t);
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration: EventDeclaration = { ...demo, entries: demo.entries.slice(0, 2) };
  const { track } = declaration;
  const ref = { track, event: declaration.event, session: 'race-2' };
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engineNc = await nats.connectAs('engine');
  const owners = await new Kvm(engineNc).open('session-owner');
  const registries = new Map<string, Registry>();
  const engineOn = async (node: string): Promise<Engine> => {
    const registry = new Registry();
    registries.set(node, registry);
    const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (l) => t.comment(`${node}: ${l}`) }, { node, leaseTtlMs: 600 });
    t.teardown(() => engine.stop());
    return engine;
  };
  const fenced = async (node: string) =>
    (await registries.get(node)!.getSingleMetric('pitwall_fenced_writes_total')?.get())?.values.find((v) => v.labels.kind === 'race_event')?.value ?? 0;

  const js = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, 'loop')));
  let seq = 0;
  const send = (kind: 'session' | 'passing', body: object) => {
    const reading = { device: 'loop', boot: 'b1', seq: ++seq };
    return js.publish(subjects.edge(track, 'loop', kind), JSON.stringify({ ...reading, ...body }), { msgID: readingMsgId(reading) });
  };
  const [car1, car2] = declaration.entries;
  const passing = (transponder: string, atUs: number) =>
    send('passing', { type: 'passing', precisionUs: 1000, source: 'sim', transponder, atUs } satisfies Partial<EdgePassing>);
  const t0 = 1_900_000_000 * SECOND;
  const a = await engineOn('a');
  await send('session', { session: 'race-2', type: 'session.open', event: declaration.event, atUs: t0 } satisfies Partial<EdgeSessionMessage>);
  await send('session', { session: 'race-2', type: 'session.start', atUs: t0 + SECOND } satisfies Partial<EdgeSessionMessage>);
  await passing(car1!.transponder!, t0 + 61 * SECOND);
  await waitFor('lap 1 on engine a', () => a.session(track, 'race-2')?.published().view?.rows.find((r) => r.number === car1!.number && r.laps === 1));
  const epochA = (await owners.get(snapshotKey(ref)))!.json<{ epoch: number }>().epoch;

  // a stops (and gives its leases back); b takes the session over and writes its marker.
  const b = await engineOn('b');
  await a.stop();
  const hostB = await waitFor('engine b to run the session', () => b.session(track, 'race-2'));
  await waitFor('b to have replayed up to its marker', async () => hostB.appliedStreamSeq() >= (await readRaceEvents(engineNc, track, 'race-2')).lastSeq);

  // a's write, frozen in flight, arrives now: a lap for car 2 under a's old epoch.
  const stale: SessionInput & { lease: number } = {
    kind: 'passing', atUs: t0 + 62 * SECOND, car: car2!.number, precisionUs: 1000, reading: { device: 'loop', boot: 'b0', seq: 1 }, lease: epochA,
  };
  const staleLap = { ...stale, atUs: t0 + 123 * SECOND, reading: { device: 'loop', boot: 'b0', seq: 2 } };
  await jetstream(engineNc).publish(subjects.timing(track, 'race-2', 'passing'), JSON.stringify(stale));
  await jetstream(engineNc).publish(subjects.timing(track, 'race-2', 'passing'), JSON.stringify(staleLap));
  await passing(car1!.transponder!, t0 + 122 * SECOND);
  await waitFor('lap 2 on engine b', () => hostB.published().view?.rows.find((r) => r.number === car1!.number && r.laps === 2));

  const race = await readRaceEvents(engineNc, track, 'race-2');
  t.equal(race.stale, 2, 'RACE holds the two stale writes, after b\'s marker');
  const offline = foldSession(race.inputs, ref);
  await waitFor("b's standings to equal the fenced offline fold", () => canonicalJson(hostB.published().view) === canonicalJson(offline));
  t.equal(hostB.published().view!.rows.find((r) => r.number === car2!.number)?.laps ?? 0, 0, 'car 2 has no lap: the stale writes did not count');
  t.equal(await fenced('b'), 2, 'b counted both (pitwall_fenced_writes_total{kind="race_event"})');

  // A replay of the whole stream (no snapshot) by a third engine ignores them in the same way.
  await b.stop();
  await new Kvm(engineNc).open('session-state').then((kv) => kv.delete(snapshotKey(ref)));
  const c = await engineOn('c');
  const hostC = await waitFor('engine c to run the session', () => c.session(track, 'race-2'));
  await waitFor('c to replay RACE', async () => hostC.appliedStreamSeq() >= (await readRaceEvents(engineNc, track, 'race-2')).lastSeq);
  await waitFor("c's standings to equal b's", () => canonicalJson(hostC.published().view) === canonicalJson(offline));
  t.equal(await fenced('c'), 2, 'the replay counted the same two stale writes');
});

import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { SessionInput } from '../actors/contracts/events.ts';
import { reduce } from '../actors/scoring/reduce.ts';
import { foldSession } from '../actors/session-actor.ts';
import { createSimulator } from '../edge/sim/simulator.ts';
import { sessionTimeline } from '../edge/sim/timeline.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { startEngine } from './engine.ts';
import { canonicalJson } from './testing/canonical-json.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { waitFor } from './testing/wait.ts';

const metric = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

t.test('a message that makes the actor throw twice is terminated and counted; the session goes on', async (t) => {
  const nats = await startTestNats(t);
  const declared = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...declared, entries: declared.entries.slice(0, 6) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const { track } = declaration;
  const sim = { cars: 6, seed: 4 };
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);

  // The simulator stamps its messages 1, 2, 3, … in timeline order: the 30th passing is reading seq `poisonSeq`.
  const timeline = [...sessionTimeline(declaration, session, { ...sim, openAtUs: 0 })];
  const poisonSeq = timeline.findIndex((e, i) => e.type === 'passing' && timeline.slice(0, i + 1).filter((x) => x.type === 'passing').length === 30) + 1;
  const isPoison = (input: SessionInput) => input.kind === 'passing' && input.reading.seq === poisonSeq;
  // A reducer with a bug that shows on one message only (a correct reducer rejects bad events without throwing).
  const faulty: typeof reduce = (state, input) => {
    if (isPoison(input)) throw new Error('injected fault');
    return reduce(state, input);
  };

  const registry = new Registry();
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (l) => t.comment(l), reduce: faulty }, { node: 'poison' });
  t.teardown(() => engine.stop());
  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const sent = await createSimulator(
    { nc: device, nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration, session, ...sim, speed: 'max' },
  ).done;

  // The simulator is done once EDGE holds everything; ingest may still be writing RACE (it waits while the session's
  // host restarts): read RACE once it holds every passing the simulator sent.
  const engineNc = await nats.connectAs('engine');
  const race = await waitFor('every passing in RACE', async () => {
    const read = await readRaceEvents(engineNc, track, session.id);
    return read.inputs.filter((i) => i.kind === 'passing').length === sent.passings ? read : undefined;
  }, 60_000);
  t.equal(race.inputs.filter(isPoison).length, 1, 'the poison message is in RACE once');
  const host = await waitFor('the session to be applied to the end', () => {
    const h = engine.session(track, session.id);
    return h && h.appliedStreamSeq() >= race.lastSeq ? h : undefined;
  }, 60_000);
  const withoutPoison = foldSession(race.inputs.filter((i) => !isPoison(i)), { track, event: declaration.event, session: session.id });
  await waitFor('the published view', () => canonicalJson(host.published().view) === canonicalJson(withoutPoison));
  t.equal(canonicalJson(host.published().view), canonicalJson(withoutPoison), 'the standings equal a run without that message');
  t.equal(await metric(registry, 'pitwall_poison_messages_total'), 1, 'terminated once, counted');
  t.equal(await metric(registry, 'pitwall_actor_restarts_total'), 2, 'after two attempts (two restarts)');
  t.same(engine.health().faulted, [], 'the session is not faulted');
});

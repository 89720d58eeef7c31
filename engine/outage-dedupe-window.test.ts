import fs from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import t from 'tap';
import { subjects } from '../actors/contracts/subjects.ts';
import { openDiskOutbox } from '../edge/outbox/disk-outbox.ts';
import { startOutboxSender } from '../edge/outbox/sender.ts';
import { createSimulator } from '../edge/sim/simulator.ts';
import { startEngine } from './engine.ts';
import { INGEST_CONSUMER_PREFIX } from './ingest.ts';
import { sessionRejections } from './metrics.ts';
import { canonicalJson } from './testing/canonical-json.ts';
import { readEdgeMessages } from './testing/edge-stream.ts';
import { startTestNats, TEST_STREAM_LIMITS } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { declareSimRace, sessionOpenedAtUs, standings } from './testing/sim-race.ts';
import { waitFor } from './testing/wait.ts';

const WINDOW_SEC = 2;

t.test('an outage longer than the dedupe window, and readings sent again after it: no duplicate in the standings', async (t) => {
  const nats = await startTestNats(t, { limits: { ...TEST_STREAM_LIMITS, edgeDuplicateWindowSec: WINDOW_SEC, raceDuplicateWindowSec: WINDOW_SEC } });
  const race = await declareSimRace(await nats.connectAs('admin'), nats.dataDir, { cars: 8, seed: 7 });
  const { track } = race;
  const session = race.session.id;
  const registry = new Registry();
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (l) => t.comment(l) }, { node: 'window' });
  t.teardown(() => engine.stop());

  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'sim'));
  const outboxDir = path.join(nats.dataDir, 'outbox');
  const sim = createSimulator(
    { nc: device, outbox: openDiskOutbox(outboxDir), nowMs: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    { track, device: 'sim', declaration: race.declaration, session: race.session, cars: race.cars, speed: 80, seed: race.seed },
  );
  t.teardown(() => sim.stop());
  const gateway = await nats.connectAs('gateway');
  await waitFor('the leader at lap 2', async () => ((await standings(gateway, track, session))?.rows[0]?.laps ?? 0) >= 2, 60_000);

  // NATS goes away for longer than the window; the simulator keeps producing into its outbox.
  await nats.stop();
  const stoppedAt = Date.now();
  await waitFor('readings held in the outbox', () => sim.publisher.outboxHealth().pending >= 40);
  // The outbox as it is now, unsent: what a box restored from a backup, or an agent whose acknowledgements were lost
  // before it died, sends again later.
  const copyDir = path.join(nats.dataDir, 'outbox-copy');
  fs.mkdirSync(copyDir);
  for (const f of fs.readdirSync(outboxDir).filter((f) => f !== 'lock')) fs.copyFileSync(path.join(outboxDir, f), path.join(copyDir, f));
  await waitFor('an outage longer than the window', () => Date.now() - stoppedAt > (WINDOW_SEC + 1) * 1000);
  await nats.restart();
  await waitFor('the outbox flushed after the outage', () => sim.publisher.outboxHealth().pending === 0, 60_000);

  // Ingest has written everything to RACE; then both windows pass (a probe id stops being a duplicate).
  const jsm = await jetstreamManager(await nats.connectAs('engine'));
  await waitFor('ingest caught up', async () => {
    for await (const c of jsm.consumers.list('EDGE')) {
      if (c.name.startsWith(INGEST_CONSUMER_PREFIX) && (c.num_pending > 0 || c.num_ack_pending > 0)) return false;
    }
    return true;
  });
  const js = jetstream(device);
  const probe = () => js.publish(subjects.edge(track, 'sim', 'health'), JSON.stringify({ type: 'probe' }), { msgID: 'sim:window-probe' });
  await probe();
  await waitFor('the dedupe windows to pass', async () => !(await probe()).duplicate, 10_000 + WINDOW_SEC * 1000);

  const copy = openDiskOutbox(copyDir);
  const resent = copy.stats().pending;
  const sender = startOutboxSender({ nc: device, outbox: copy });
  await sender.drained();
  await sender.stop();
  copy.close();
  t.ok(resent >= 40, `${resent} readings sent a second time, after the window`);

  await sim.done;
  const engineNc = await nats.connectAs('engine');
  const expected = race.expectedView((await sessionOpenedAtUs(engineNc, track, session))!);
  const final = await waitFor('the standings of the simulated race', async () => {
    const view = await standings(gateway, track, session);
    return view && canonicalJson(view) === canonicalJson(expected) ? view : undefined;
  }, 60_000);
  t.equal(final.state, 'finished', 'the standings are exactly the simulated race');

  // Not vacuous: the stream kept the second copies, ingest wrote them again, the actor dropped them.
  const edgeIds = [
    ...(await readEdgeMessages(engineNc, subjects.edge(track, 'sim', 'passing'))),
    ...(await readEdgeMessages(engineNc, subjects.edge(track, 'sim', 'session'))),
  ].map((m) => m.msgId);
  const edgeTwice = edgeIds.length - new Set(edgeIds).size;
  t.equal(edgeTwice, resent, `EDGE holds all ${resent} readings twice: its window was over`);
  const { inputs } = await readRaceEvents(engineNc, track, session);
  const raceIds = inputs.flatMap((i) => ('reading' in i && i.reading ? [`${i.reading.boot}:${i.reading.seq}`] : []));
  t.ok(raceIds.length - new Set(raceIds).size > 0, 'RACE holds them twice too: its window was over');
  const duplicates = (await sessionRejections(registry).get()).values.find((v) => v.labels.kind === 'duplicate')?.value ?? 0;
  t.equal(duplicates, raceIds.length - new Set(raceIds).size, 'the session actor dropped each second copy as a duplicate');
});

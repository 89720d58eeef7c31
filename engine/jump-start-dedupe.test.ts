import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { type EdgeSessionMessage, readingMsgId } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { putDeclaration } from './declarations/store.ts';
import { validateDeclaration } from './declarations/validate.ts';
import { startEngine } from './engine.ts';
import { sessionRejections } from './metrics.ts';
import { startTestNats, TEST_STREAM_LIMITS } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { standings } from './testing/sim-race.ts';
import { waitFor } from './testing/wait.ts';

// A jump start the start lights send again after both streams' dedupe windows (an outbox restored from a backup, an
// ack lost before the agent died) is one line in the control log: the note carries its reading id and the session
// actor drops a reading it has applied, as it does for every other reading.
const WINDOW_SEC = 1;
const track = 'slot-club';
const declaration = validateDeclaration({
  track, event: 'club-night', name: 'Club night', org: 'club',
  classes: [{ id: 'open', name: 'Open' }],
  sessions: [{ id: 'final', name: 'Final', type: 'race', finish: { laps: 5 } }],
  entries: [1, 2, 3].map((lane) => ({ number: String(lane * 11), name: `Lane ${lane}`, class: 'open', lane })),
});

t.test('a jump start sent twice, the second time past the dedupe windows, is logged once', async (t) => {
  const nats = await startTestNats(t, { limits: { ...TEST_STREAM_LIMITS, edgeDuplicateWindowSec: WINDOW_SEC, raceDuplicateWindowSec: WINDOW_SEC } });
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const registry = new Registry();
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log: (l) => t.comment(l) }, { node: 'test' });
  t.teardown(() => engine.stop());
  const js = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, 'lights')));
  const send = (m: EdgeSessionMessage) => js.publish(subjects.edge(track, 'lights', 'session'), JSON.stringify(m), { msgID: readingMsgId(m) });
  const atUs = 1_760_000_000_000_000;
  const reading = { device: 'lights', boot: 'b1', seq: 0 };
  await send({ ...reading, seq: 1, type: 'session.open', session: 'final', event: 'club-night', atUs });
  const jump: EdgeSessionMessage = { ...reading, seq: 2, type: 'jump-start', session: 'final', lane: 3, atUs: atUs + 1_000_000 };
  t.equal((await send(jump)).duplicate, false);

  const gateway = await nats.connectAs('gateway');
  const jumpStarts = async () => ((await standings(gateway, track, 'final'))?.controlLog ?? []).filter((e) => e.text.startsWith('Jump start'));
  await waitFor('the jump start in the control log', async () => (await jumpStarts()).length === 1);

  // Both windows pass (a probe sent after RACE took the note stops being a duplicate): the same message is then a new
  // one for EDGE, and ingest's write of it a new one for RACE.
  const probe = () => js.publish(subjects.edge(track, 'lights', 'health'), JSON.stringify({ type: 'probe' }), { msgID: 'lights:window-probe' });
  await probe();
  await waitFor('the dedupe windows to pass', async () => !(await probe()).duplicate, 10_000 + WINDOW_SEC * 1000);
  t.equal((await send(jump)).duplicate, false, 'sent again: EDGE takes it');
  const engineNc = await nats.connectAs('engine');
  await waitFor('RACE to hold the note twice', async () => {
    const { inputs } = await readRaceEvents(engineNc, track, 'final');
    return inputs.filter((i) => i.kind === 'note').length === 2;
  });
  const duplicates = async () => (await sessionRejections(registry).get()).values.find((v) => v.labels.kind === 'duplicate')?.value ?? 0;
  await waitFor('the actor to fold the second copy', async () => (await duplicates()) > 0 || (await jumpStarts()).length > 1);
  t.equal(await duplicates(), 1, 'dropped as a reading already applied');
  const log = await jumpStarts();
  t.equal(log.length, 1, 'one line in the control log');
  t.match(log[0], { verb: 'note', by: 'edge:lights', text: 'Jump start: lane 3 (#33) crossed before the green' });
});

import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { putDeclaration } from '../declarations/store.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';
import { startEngine, type Engine } from '../engine.ts';
import { startTestNats } from '../testing/nats.ts';
import { waitFor } from '../testing/wait.ts';

const SECOND = 1_000_000;

t.test('sessions spread over two engines; ingest on one has the other write the sessions it owns', async (t) => {
  const nats = await startTestNats(t);
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const tracks = ['demo-park', 'other-park'];
  const declarations: EventDeclaration[] = tracks.map((track) => ({ ...demo, track, entries: demo.entries.slice(0, 2) }));
  const events = await new Kvm(await nats.connectAs('admin')).open('events');
  for (const d of declarations) await putDeclaration(events, d);
  const engineOn = async (node: string): Promise<Engine> => {
    const engine = await startEngine({ nc: await nats.connectAs('engine'), registry: new Registry(), log: (l) => t.comment(`${node}: ${l}`) }, { node, leaseTtlMs: 600 });
    t.teardown(() => engine.stop());
    return engine;
  };
  const a = await engineOn('a'); // first: runs ingest
  const b = await engineOn('b');
  t.ok(a.health().ingest && !b.health().ingest, 'ingest runs on a alone');

  const t0 = 1_900_000_000 * SECOND;
  const open = async (track: string) => {
    const device = `loop-${track}`; // reading ids (device, boot, seq) are unique across tracks
    const js = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, device)));
    let seq = 0;
    const send = (kind: 'session' | 'passing', body: object) => {
      const reading = { device, boot: 'b1', seq: ++seq };
      return js.publish(subjects.edge(track, device, kind), JSON.stringify({ ...reading, ...body }), { msgID: readingMsgId(reading) });
    };
    await send('session', { session: 'race-2', type: 'session.open', event: demo.event, atUs: t0 } satisfies Partial<EdgeSessionMessage>);
    await send('session', { session: 'race-2', type: 'session.start', atUs: t0 + SECOND } satisfies Partial<EdgeSessionMessage>);
    return (transponder: string, atUs: number) =>
      send('passing', { type: 'passing', precisionUs: 1000, source: 'sim', transponder, atUs } satisfies Partial<EdgePassing>);
  };
  const runner = (track: string) => [a, b].find((e) => e.session(track, 'race-2'));

  const passingAtDemo = await open('demo-park');
  const first = await waitFor('the first session to be run', () => runner('demo-park'));
  const passingAtOther = await open('other-park');
  const second = await waitFor('the second session to be run', () => runner('other-park'));
  t.not(first, second, 'each engine runs one of the two sessions');

  // Every input of both sessions goes through ingest on a; the owner writes it.
  const car = demo.entries[0]!;
  await passingAtDemo(car.transponder!, t0 + 61 * SECOND);
  await passingAtOther(car.transponder!, t0 + 62 * SECOND);
  for (const track of tracks) {
    await waitFor(`lap 1 at ${track}`, () => runner(track)?.session(track, 'race-2')?.published().view?.rows.find((r) => r.number === car.number && r.laps === 1));
  }
  t.pass('both sessions timed their first lap, whichever engine owns them');
});

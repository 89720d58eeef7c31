import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EdgePassing } from '../actors/contracts/events.ts';
import { createEdgePublisher } from '../edge/edge-publisher.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { startEngine } from './engine.ts';
import { startTestNats } from './testing/nats.ts';
import { waitFor } from './testing/wait.ts';

const SECOND = 1_000_000;

t.test('ingest assigns passings read by chip, lane and car id to their entries, as by transponder', async (t) => {
  const nats = await startTestNats(t);
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const [a, b, c] = demo.entries;
  const declaration = { ...demo, entries: [{ ...a!, chips: ['E200-1'] }, { ...b!, lane: 2 }, { ...c!, carId: 'car-7' }] };
  const { track } = declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry: new Registry(), log: (line: string) => t.comment(line) }, { node: 'test' });
  t.teardown(() => engine.stop());

  const edge = createEdgePublisher({ nc: await nats.connectWith(await nats.server.addEdgeDevice(track, 'gpio')) }, { track, device: 'gpio' });
  const t0 = 1_900_000_000 * SECOND;
  const passing = (atUs: number, read: Partial<EdgePassing>) =>
    edge.publish({ kind: 'passing', body: { type: 'passing', atUs, precisionUs: 1000, source: 'gpio', ...read } });
  await edge.publish({ kind: 'session', body: { type: 'session.open', session: 'race-1', event: declaration.event, atUs: t0 } });
  await edge.publish({ kind: 'session', body: { type: 'session.start', session: 'race-1', atUs: t0 + SECOND } });
  const host = await waitFor('the session actor', () => engine.session(track, 'race-1'));
  for (const [i, read] of [{ chip: 'E200-1' }, { lane: 2 }, { carId: 'car-7' }].entries()) {
    await passing(t0 + (10 + i) * SECOND, read);
    await passing(t0 + (70 + i) * SECOND, read);
  }
  const rows = await waitFor('a lap for each of the three cars', () => {
    const view = host.published().view;
    const done = [a!, b!, c!].map((e) => view?.rows.find((r) => r.number === e.number && r.laps === 1));
    return done.every(Boolean) ? done : undefined;
  });
  t.same(rows.map((r) => r!.lastLapUs), [69 * SECOND, 70 * SECOND, 71 * SECOND], 'chip, lane and car id each timed lap 1 from the start');
});

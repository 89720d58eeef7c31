import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { createGateway } from '../gateway/server.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { startEngine } from './engine.ts';
import { startTestNats } from './testing/nats.ts';
import { waitFor } from './testing/wait.ts';

const SECOND = 1_000_000;

t.test('bad edge input is counted on /metrics, exactly once each, and the next valid passing is applied', async (t) => {
  const nats = await startTestNats(t);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);
  const declaration = readDeclarationFile(DEMO_EVENT_FILE);
  const { track } = declaration;
  const car = declaration.entries[0]!;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const gateway = await createGateway({ nc: await nats.connectAs('gateway'), registry, log }, { host: '127.0.0.1', port: 0 });
  t.teardown(() => gateway.stop());
  const metric = async (kind: string) => {
    const text = await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text();
    return Number(new RegExp(`^pitwall_input_errors_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  const js = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, 'loop')));
  let seq = 0;
  const t0 = 1_900_000_000 * SECOND;
  const send = (kind: 'session' | 'passing', body: object | string) => {
    const reading = { device: 'loop', boot: 'b1', seq: ++seq };
    const data = typeof body === 'string' ? body : JSON.stringify({ ...reading, ...body });
    return js.publish(subjects.edge(track, 'loop', kind), data, { msgID: readingMsgId(reading) });
  };
  const session = (m: Partial<EdgeSessionMessage>) => send('session', { session: 'race-1', ...m });
  const passing = (m: Partial<EdgePassing>) => send('passing', { type: 'passing', precisionUs: 1000, source: 'sim', ...m });

  await session({ type: 'session.open', event: declaration.event, atUs: t0 });
  await session({ type: 'session.start', atUs: t0 + SECOND });
  const host = await waitFor('the session actor', () => engine.session(track, 'race-1'));

  await send('passing', 'this is not JSON');
  await waitFor('the undecodable message counted', async () => (await metric('bad_edge_message')) === 1);
  await passing({ transponder: 'nobody-has-this', atUs: t0 + 60 * SECOND });
  await waitFor('the unknown transponder counted', async () => (await metric('unassigned_passing')) === 1);
  await session({ type: 'session.open', event: 'no-such-event', session: 'race-9', atUs: t0 + 61 * SECOND });
  await waitFor('the undeclared session counted', async () => (await metric('unknown_session')) === 1);

  await passing({ transponder: car.transponder, atUs: t0 + 62 * SECOND });
  const row = await waitFor('the valid passing applied', () => host.published().view?.rows.find((r) => r.number === car.number && r.laps === 1));
  t.equal(row.lastLapUs, 61 * SECOND, 'lap 1 timed from the start');
  t.equal(await metric('bad_edge_message'), 1, 'each bad input counted exactly once');
  t.equal(await metric('unassigned_passing'), 1);
  t.equal(await metric('unknown_session'), 1);
});

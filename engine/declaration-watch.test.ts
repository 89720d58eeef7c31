import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing, type EdgeSessionMessage } from '../actors/contracts/events.ts';
import { subjects } from '../actors/contracts/subjects.ts';
import { foldSession } from '../actors/session-actor.ts';
import { readDeclarationFile } from './declarations/read.ts';
import { putDeclaration } from './declarations/store.ts';
import { DEMO_EVENT_FILE } from './demo.ts';
import { startEngine } from './engine.ts';
import { startTestNats } from './testing/nats.ts';
import { readRaceEvents } from './testing/race-events.ts';
import { waitFor } from './testing/wait.ts';

const SECOND = 1_000_000;

t.test('a declaration changed mid-session: RACE holds it, and a new and a changed transponder count from then on', async (t) => {
  const nats = await startTestNats(t);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration: EventDeclaration = { ...demo, entries: demo.entries.slice(0, 3) };
  const { track } = declaration;
  const kv = await new Kvm(await nats.connectAs('admin')).open('events');
  await putDeclaration(kv, declaration);
  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());

  const js = jetstream(await nats.connectWith(await nats.server.addEdgeDevice(track, 'loop')));
  let seq = 0;
  const send = (kind: 'session' | 'passing', body: object) => {
    const reading = { device: 'loop', boot: 'b1', seq: ++seq };
    return js.publish(subjects.edge(track, 'loop', kind), JSON.stringify({ ...reading, ...body }), { msgID: readingMsgId(reading) });
  };
  const session = (m: Partial<EdgeSessionMessage>) => send('session', { session: 'race-2', ...m });
  const passing = (transponder: string, atUs: number) =>
    send('passing', { type: 'passing', precisionUs: 1000, source: 'sim', transponder, atUs } satisfies Partial<EdgePassing>);
  const unassigned = async () => (await registry.getSingleMetric('pitwall_unassigned_passings_total')?.get())?.values[0]?.value ?? 0;

  const t0 = 1_900_000_000 * SECOND;
  await session({ type: 'session.open', event: declaration.event, atUs: t0 });
  await session({ type: 'session.start', atUs: t0 + SECOND });
  const host = await waitFor('the session actor', () => engine.session(track, 'race-2'));
  const first = declaration.entries[0]!;
  await passing(first.transponder!, t0 + 61 * SECOND);
  await waitFor('the first lap of car ' + first.number, () => host.published().view?.rows.find((r) => r.number === first.number && r.laps === 1));
  await passing('t-new', t0 + 62 * SECOND);
  await waitFor('the undeclared transponder counted as unassigned', async () => (await unassigned()) === 1);

  // The change: a new entry with transponder t-new; the first car's transponder replaced by t-changed.
  const changed: EventDeclaration = {
    ...declaration,
    entries: [{ ...first, transponder: 't-changed' }, ...declaration.entries.slice(1), { number: '500', name: 'Late Entry', class: 'gt4', transponder: 't-new' }],
  };
  await putDeclaration(kv, changed);
  await waitFor('the new entry on the board', () => host.published().view?.rows.find((r) => r.number === '500'));

  await passing('t-new', t0 + 125 * SECOND);
  await passing('t-changed', t0 + 122 * SECOND + 1);
  await passing(first.transponder!, t0 + 123 * SECOND);
  await waitFor('the late entry lap 1', () => host.published().view?.rows.find((r) => r.number === '500' && r.laps === 1));
  await waitFor('the old transponder counted as unassigned', async () => (await unassigned()) === 2);
  const row = await waitFor('lap 2 of car ' + first.number + ' by its new transponder', () => host.published().view?.rows.find((r) => r.number === first.number && r.laps === 2));
  t.equal(row.lastLapUs, 61 * SECOND + 1, 'the lap is timed from the lap before the change');

  const race = await waitFor('RACE to settle', async () => {
    const events = await readRaceEvents(engineNc, track, 'race-2');
    return host.appliedStreamSeq() >= events.lastSeq ? events : undefined;
  });
  const declarations = race.inputs.filter((i) => i.kind === 'declaration');
  t.equal(declarations.length, 2, 'RACE holds the opening declaration and the change');
  t.same(declarations[1], { kind: 'declaration', atUs: t0 + 61 * SECOND, declaration: changed }, 'the change, at the time of the last event written to the session');
  const offline = foldSession(race.inputs, { track, event: declaration.event, session: 'race-2' });
  await waitFor('the published view to catch up', () => JSON.stringify(host.published().view) === JSON.stringify(offline));
  t.pass('a replay of RACE gives the live standings');

  // The same declaration stored again changes nothing.
  await putDeclaration(kv, changed);
  await passing('t-new', t0 + 190 * SECOND);
  await waitFor('lap 2 of the late entry', () => host.published().view?.rows.find((r) => r.number === '500' && r.laps === 2));
  const after = await readRaceEvents(engineNc, track, 'race-2');
  t.equal(after.inputs.filter((i) => i.kind === 'declaration').length, 2, 'an unchanged declaration is not appended again');
});

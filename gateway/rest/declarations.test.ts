import { Kvm } from '@nats-io/kv';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../testing/wait.ts';
import { createDeclarationReader } from './declarations.ts';

// The gateway's reading of KV `events`: cached, and for the riders' path never waited for once it has a list.
const nats = await startTestNats(t);
const events = await new Kvm(await nats.connectAs('admin')).open('events');
const regatta = (name: string): EventDeclaration => ({ track: 'elbe', event: 'regatta', name, org: 'club', classes: [{ id: 'boats', name: 'Boats' }],
  sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', finish: { laps: 3 } }], entries: [{ number: '7', name: 'Alex', class: 'boats' }] });

t.test('cached for cacheMs, then read again before answering', async (t) => {
  await putDeclaration(events, regatta('First'));
  let clock = 0;
  const read = createDeclarationReader({ nc: await nats.connectAs('gateway'), log: () => undefined, now: () => clock }, { cacheMs: 2000 });
  t.equal((await read())[0]?.name, 'First');
  await putDeclaration(events, regatta('Second'));
  t.equal((await read())[0]?.name, 'First', 'within cacheMs: the cached list');
  clock += 2001;
  t.equal((await read())[0]?.name, 'Second', 'past cacheMs: the caller waits for a new listing');
});

t.test('serveStale: past cacheMs the last list answers at once while a new one is read', async (t) => {
  await putDeclaration(events, regatta('First'));
  let clock = 0;
  const lines: string[] = [];
  const read = createDeclarationReader({ nc: await nats.connectAs('gateway'), log: (l) => lines.push(l), now: () => clock }, { cacheMs: 2000, serveStale: true });
  t.equal((await read())[0]?.name, 'First', 'the first call waits for the first listing');
  await putDeclaration(events, regatta('Second'));
  clock += 2001;
  const stale = read();
  t.equal((await stale)[0]?.name, 'First', 'the last list, without waiting');
  await waitFor(async () => (await read())[0]?.name === 'Second', 'the listing read in the background');
  t.same(lines, [], 'nothing logged');
});

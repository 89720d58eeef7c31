import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import { createCommandSender } from '../../gateway/race-control/send-command.ts';
import { putDeclaration } from '../declarations/store.ts';
import { startEngine, type Engine } from '../engine.ts';
import { startTestNats } from '../testing/nats.ts';
import { readRaceEvents } from '../testing/race-events.ts';
import { waitFor } from '../testing/wait.ts';

// Two engines on one NATS: race control's open of a declared session is answered by the engine running ingest only,
// the session is created once whoever asks, and after that engine stops the other one opens sessions.
const DECLARATION: EventDeclaration = {
  track: 'lake-loop', event: 'regatta', name: 'Regatta', org: 'club',
  classes: [{ id: 'open', name: 'Open' }],
  sessions: [
    { id: 'race-1', name: 'Race 1', type: 'race', finish: { timeMs: 3_600_000 } },
    { id: 'race-2', name: 'Race 2', type: 'race', finish: { timeMs: 3_600_000 } },
  ],
  entries: [{ number: '1', name: 'Boat one', class: 'open' }],
};
const { track } = DECLARATION;
const director: VerifiedClaims = { sub: 'acc-1', org: 'club', roles: ['race-control'] };

const nats = await startTestNats(t);
const admin = await nats.connectAs('admin');
await putDeclaration(await new Kvm(admin).open('events'), DECLARATION);
/** Per engine, the sessions its opener created (from its log). */
const created = new Map<string, string[]>();
const engines = new Map<string, Engine>();
for (const node of ['a', 'b']) {
  created.set(node, []);
  const log = (line: string) => {
    t.comment(`${node}: ${line}`);
    const m = /^race control: (\S+) of event \S+ opened/.exec(line);
    if (m) created.get(node)!.push(m[1]!);
  };
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry: new Registry(), log }, { node, leaseTtlMs: 1500 });
  engines.set(node, engine);
  t.teardown(() => engine.stop());
}
// Two gateways' command senders, as the gateway sends.
const senders = [createCommandSender(await nats.connectAs('gateway'), { timeoutMs: 10_000 }), createCommandSender(await nats.connectAs('gateway'), { timeoutMs: 10_000 })];
const open = (sender: number, session: string) => senders[sender]!({ track, session }, { verb: 'open', args: {} }, director, 'rest');
const ingestNode = () => [...engines].find(([, e]) => e.health().ingest)?.[0];

t.test('both gateways open the same session at once: the engine running ingest creates it once', async (t) => {
  const holder = await waitFor('an engine running ingest', ingestNode);
  const replies = await Promise.all([open(0, 'race-1'), open(1, 'race-1')]);
  t.same(replies.map((r) => (r.ok ? r.reply.outcome : r.code)).sort(), ['accepted', 'refused'], 'one accepted, one refused by the host');
  t.same(created.get(holder), ['lake-loop/race-1'], `created by ${holder}, the engine running ingest`);
  t.same([...created.values()].flat(), ['lake-loop/race-1'], 'by no other engine');
  const { inputs } = await readRaceEvents(admin, track, 'race-1');
  t.equal(inputs.filter((i) => i.kind === 'declaration').length, 1, 'one declaration in RACE');
  t.equal(inputs.filter((i) => i.kind === 'session' && i.verb === 'open').length, 1, 'one open');
  t.equal([...engines.values()].filter((e) => e.session(track, 'race-1')).length, 1, 'one host');
});

t.test('the engine running ingest stops: the other opens the next session', async (t) => {
  const holder = ingestNode()!;
  await engines.get(holder)!.stop();
  engines.delete(holder);
  const [other] = [...engines.keys()];
  await waitFor(`${other} running ingest`, () => ingestNode() === other);
  // Until its opener subscribes (just after it took the lease) an open finds nobody (unknown_session) and creates nothing.
  const reply = await waitFor(`${other} answering opens`, async () => {
    const sent = await open(0, 'race-2');
    return sent.ok || sent.code !== 'unknown_session' ? sent : undefined;
  });
  t.match(reply, { ok: true, reply: { outcome: 'accepted' } });
  t.same(created.get(other!), ['lake-loop/race-2'], `created by ${other}`);
  await waitFor('race-2 hosted', () => engines.get(other!)!.session(track, 'race-2')?.published().view?.state === 'open');
});

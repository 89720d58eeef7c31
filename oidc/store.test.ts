import t, { type Test } from 'tap';
import { Kvm } from '@nats-io/kv';
import { startTestNats } from '../engine/testing/nats.ts';
import { createIdentityStore } from './store.ts';

const setup = async (t: Test) => {
  const nats = await startTestNats(t);
  const kv = await new Kvm(await nats.connectAs('identity')).open('identity');
  let now = 1_000_000;
  return { kv, store: createIdentityStore(kv, { now: () => now }), advance: (ms: number) => (now += ms) };
};

t.test('concurrent updates of one key lose nothing (the grant index of tokens issued together)', async (t) => {
  const { store } = await setup(t);
  const members = Array.from({ length: 12 }, (_, i) => `oidc.AccessToken.${i}`);
  await Promise.all(members.map((m) => store.update<{ keys: string[] }>('oidc.by-grant.g1', (cur = { keys: [] }) => ({ keys: [...cur.keys, m] }))));
  const stored = await store.get<{ keys: string[] }>('oidc.by-grant.g1');
  t.same([...(stored?.keys ?? [])].sort(), [...members].sort());
});

t.test('update after a delete starts from nothing', async (t) => {
  const { store } = await setup(t);
  await store.put('k', 5);
  await store.delete('k');
  await store.update<number>('k', (cur) => (cur ?? 0) + 1);
  t.equal(await store.get('k'), 1);
});

t.test('the sweep purges expired entries only', async (t) => {
  const { kv, store, advance } = await setup(t);
  await store.put('oidc.Session.old', { a: 1 }, { expiresAt: 1_000_500 });
  await store.put('oidc.Session.fresh', { a: 2 }, { expiresAt: 9_000_000 });
  await store.put('account.alice', { name: 'alice' });
  t.equal(await store.sweepExpired(), 0, 'nothing expired yet');
  advance(1000);
  t.equal(await store.sweepExpired(), 1);
  const keys: string[] = [];
  for await (const k of await kv.keys()) keys.push(k);
  t.same(keys.sort(), ['account.alice', 'oidc.Session.fresh']);
  t.same(await store.get('oidc.Session.fresh'), { a: 2 });
});

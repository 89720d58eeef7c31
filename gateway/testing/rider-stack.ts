import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { Test } from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startTestNats, type TestNats } from '../../engine/testing/nats.ts';
import { createIdentityStore, type IdentityStore } from '../../oidc/store.ts';

/** A regatta of the club with three boats: what the rider-ingest tests send positions for. */
export const REGATTA: EventDeclaration = {
  track: 'elbe', event: 'regatta', name: 'Elbe regatta', org: 'club',
  classes: [{ id: 'boats', name: 'Boats' }], sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', finish: { laps: 3 } }],
  entries: [{ number: '7', name: 'Alex', class: 'boats' }, { number: '12', name: 'Richard', class: 'boats' }, { number: '05', name: 'Yury', class: 'boats' }],
};

/** A real NATS with streams, REGATTA declared, and KV `identity` opened as the identity provider's store would be. */
export async function startRiderNats(t: Test): Promise<{ nats: TestNats; identity: IdentityStore; gpsMessages: () => Promise<number> }> {
  const nats = await startTestNats(t);
  const admin = await nats.connectAs('admin');
  await putDeclaration(await new Kvm(admin).open('events'), REGATTA);
  const identity = createIdentityStore(await new Kvm(await nats.connectAs('identity')).open('identity'));
  const jsm = await jetstreamManager(admin);
  return {
    nats,
    identity,
    /** How many messages stream EDGE holds on `gps.>`: the proof that a refused position published nothing. */
    async gpsMessages() {
      const info = await jsm.streams.info('EDGE', { subjects_filter: 'gps.>' });
      return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
    },
  };
}

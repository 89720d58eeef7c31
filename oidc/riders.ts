import { randomBytes } from 'node:crypto';
import type { EntryScope } from './claims.ts';
import { registerServiceClient, type ServiceClient } from './clients.ts';
import { modelKey } from './kv-adapter.ts';
import { keyToken, type IdentityStore } from './store.ts';

/** What a Traccar device key authorises: positions for one entry (DESIGN §6: the one credential allowed in a URL). */
export interface TraccarDevice {
  org: string;
  entry: EntryScope;
}

/** The KV prefix of device keys: the gateway may read `traccar.*` and nothing else of KV `identity` (nats-permissions.ts). */
export const TRACCAR_PREFIX = 'traccar';
export const traccarKey = (deviceKey: string) => `${TRACCAR_PREFIX}.${keyToken(deviceKey)}`;

/** The client id of an entry's rider client: stable per entry, so a new token replaces the old secret. */
export const riderClientId = (entry: EntryScope) => `rider-${entry.event}-${Buffer.from(entry.number, 'utf8').toString('hex')}`;

const sameEntry = (a: EntryScope, b: EntryScope) => a.event === b.event && a.number === b.number;

/**
 * Credentials for one competitor: a client-credentials client with the `competitor` role for the entry (its secret
 * replaced each time), and a new random Traccar device key recorded in KV `identity`. One phone per entry: the
 * entry's earlier device keys are revoked (a lost or replaced phone stops reporting with the new credentials).
 */
export async function issueRiderCredentials(store: IdentityStore, input: { org: string; entry: EntryScope }): Promise<{ client: ServiceClient; traccarDeviceKey: string }> {
  const client = await registerServiceClient(store, { clientId: riderClientId(input.entry), org: input.org, roles: ['competitor'], entry: input.entry });
  await revokeTraccarKeys(store, input);
  const traccarDeviceKey = randomBytes(8).toString('hex');
  await store.put(traccarKey(traccarDeviceKey), { org: input.org, entry: input.entry } satisfies TraccarDevice);
  return { client, traccarDeviceKey };
}

/** The entry a Traccar device key reports for, if it is one Pitwall issued and did not revoke. */
export const findTraccarDevice = (store: IdentityStore, deviceKey: string) => store.get<TraccarDevice>(traccarKey(deviceKey));

/** Revokes every device key of an entry (of one organisation when `org` is given); returns how many. */
export async function revokeTraccarKeys(store: IdentityStore, input: { org?: string; entry: EntryScope }): Promise<number> {
  let revoked = 0;
  for (const key of await store.keys(TRACCAR_PREFIX)) {
    const device = await store.get<TraccarDevice>(key);
    if (!device || !sameEntry(device.entry, input.entry) || (input.org !== undefined && device.org !== input.org)) continue;
    await store.delete(key);
    revoked++;
  }
  return revoked;
}

/** Revokes one device key; returns what it authorised, undefined when it was not a live key. */
export async function revokeTraccarKey(store: IdentityStore, deviceKey: string): Promise<TraccarDevice | undefined> {
  const device = await findTraccarDevice(store, deviceKey);
  if (device) await store.delete(traccarKey(deviceKey));
  return device;
}

/**
 * Revokes a rider entirely: its device keys and its token client (no new token can be issued with the old secret).
 * Access tokens already issued stay valid until they expire (they are self-contained JWTs: riderTokenTtlSec).
 */
export async function revokeRider(store: IdentityStore, input: { org?: string; entry: EntryScope }): Promise<{ deviceKeys: number; client: boolean }> {
  const deviceKeys = await revokeTraccarKeys(store, input);
  const clientKey = modelKey('Client', riderClientId(input.entry));
  const client = (await store.get(clientKey)) !== undefined;
  if (client) await store.delete(clientKey);
  return { deviceKeys, client };
}

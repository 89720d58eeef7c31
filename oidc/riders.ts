import { randomBytes } from 'node:crypto';
import type { EntryScope } from './claims.ts';
import { registerServiceClient, type ServiceClient } from './clients.ts';
import { keyToken, type IdentityStore } from './store.ts';

/** What a Traccar device key authorises: positions for one entry (DESIGN §6: the one credential allowed in a URL). */
export interface TraccarDevice {
  org: string;
  entry: EntryScope;
}

export const traccarKey = (deviceKey: string) => `traccar.${keyToken(deviceKey)}`;

/** The client id of an entry's rider client: stable per entry, so a new token replaces the old secret. */
export const riderClientId = (entry: EntryScope) => `rider-${entry.event}-${Buffer.from(entry.number, 'utf8').toString('hex')}`;

/**
 * Credentials for one competitor: a client-credentials client with the `competitor` role for the entry (its secret
 * replaced each time), and a new random Traccar device key recorded in KV `identity`.
 */
export async function issueRiderCredentials(store: IdentityStore, input: { org: string; entry: EntryScope }): Promise<{ client: ServiceClient; traccarDeviceKey: string }> {
  const client = await registerServiceClient(store, { clientId: riderClientId(input.entry), org: input.org, roles: ['competitor'], entry: input.entry });
  const traccarDeviceKey = randomBytes(8).toString('hex');
  await store.put(traccarKey(traccarDeviceKey), { org: input.org, entry: input.entry } satisfies TraccarDevice);
  return { client, traccarDeviceKey };
}

/** The entry a Traccar device key reports for, if it is one Pitwall issued. */
export const findTraccarDevice = (store: IdentityStore, deviceKey: string) => store.get<TraccarDevice>(traccarKey(deviceKey));

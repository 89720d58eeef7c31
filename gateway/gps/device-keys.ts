import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { findTraccarDevice, type TraccarDevice } from '../../oidc/riders.ts';
import { createIdentityStore } from '../../oidc/store.ts';

/** Finds the entry a Traccar device key reports for; undefined for a key never issued, or revoked. */
export type DeviceKeyLookup = (deviceKey: string) => Promise<TraccarDevice | undefined>;

/**
 * Device keys straight from KV `identity`, read with the gateway's own NATS user, which may read the keys
 * `traccar.<key>` only (a direct get whose subject names the key: nats-permissions.ts) and nothing else of the
 * identity provider's bucket. Chosen over a request to the identity provider: no extra service to reach or keep
 * up on the way of every fix, and a revoked key (deleted from KV) is refused from the next request on. The bucket is
 * bound without asking JetStream for its configuration (which the gateway may not read).
 */
export function createDeviceKeyLookup(nc: NatsConnection): DeviceKeyLookup {
  const store = new Kvm(nc).open('identity', { bindOnly: true, allow_direct: true }).then((kv) => createIdentityStore(kv));
  return async (deviceKey) => findTraccarDevice(await store, deviceKey);
}

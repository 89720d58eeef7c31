import type { Test } from 'tap';
import type { TestNats } from '../../engine/testing/nats.ts';
import { startIdentityProvider, type IdentityProvider, type IdentityProviderOptions } from '../provider.ts';
import { REDIRECT_URI } from './flows.ts';

/** An identity provider on a random loopback port, connected as the `identity` NATS user; stopped at teardown. */
export async function startTestIdentity(t: Test, nats: TestNats, opts: Partial<IdentityProviderOptions> = {}): Promise<IdentityProvider> {
  const nc = await nats.connectAs('identity');
  const idp = await startIdentityProvider({ nc, log: (l) => t.comment(l) }, { port: 0, webRedirectUris: [REDIRECT_URI], ...opts });
  t.teardown(() => idp.stop());
  return idp;
}

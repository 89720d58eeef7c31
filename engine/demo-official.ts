import type { Accounts } from '../oidc/accounts.ts';
import { IdentityAdminError } from '../oidc/errors.ts';
import { randomPassword } from './random-password.ts';

/** The official of the demo meeting: race control and timing in the demo event's organisation. */
export const DEMO_OFFICIAL = { username: 'race-director', roles: ['race-control', 'timing'] } as const;

/**
 * Makes the demo's race director once per data directory, so race control can be tried at once. The password is
 * random and shown only when the account is made (a demo stack listens on loopback only); a later `up --demo`
 * says where to set a new one.
 */
export async function ensureDemoOfficial(accounts: Accounts, org: { id: string; name: string }): Promise<string> {
  if (!(await accounts.getOrganisation(org.id))) await accounts.addOrganisation(org);
  const password = randomPassword(16);
  try {
    await accounts.addAccount({ ...DEMO_OFFICIAL, roles: [...DEMO_OFFICIAL.roles], password, org: org.id });
    return `user ${DEMO_OFFICIAL.username}, password ${password}`;
  } catch (err) {
    if (!(err instanceof IdentityAdminError && err.reason === 'exists')) throw err;
    return `user ${DEMO_OFFICIAL.username} (password shown when it was made; 'pitwall admin user' sets another)`;
  }
}

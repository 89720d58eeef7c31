import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import type { Accounts } from './accounts.ts';
import type { EntryScope, PitwallTokenClaims, Role } from './claims.ts';
import { CLIENT_ENTRY, CLIENT_ORG, CLIENT_ROLES } from './clients.ts';

/** The org, roles and entry of a client-credentials client (from its stored metadata); undefined for the web client. */
export function clientClaims(client: Client | undefined): PitwallTokenClaims | undefined {
  const metadata = client?.metadata() as Record<string, unknown> | undefined;
  const org = metadata?.[CLIENT_ORG];
  if (typeof org !== 'string') return undefined;
  const entry = metadata?.[CLIENT_ENTRY] as EntryScope | undefined;
  return { org, roles: (metadata?.[CLIENT_ROLES] as Role[] | undefined) ?? [], ...(entry && { entry }) };
}

/**
 * `extraTokenClaims`: an access token for a person carries their account's org, roles and entry; one for a service
 * client carries the client's. Claims are read when the token is issued: a role change shows in the next token.
 */
export function createExtraTokenClaims(accounts: Accounts) {
  return async (ctx: KoaContextWithOIDC, token: { accountId?: string | undefined; clientId?: string | undefined }) => {
    if (token.accountId) {
      const account = await accounts.find(token.accountId);
      if (!account) return undefined;
      return { org: account.org, roles: account.roles, ...(account.entry && { entry: account.entry }) } satisfies PitwallTokenClaims;
    }
    return clientClaims(ctx.oidc.client);
  };
}

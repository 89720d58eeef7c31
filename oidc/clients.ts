import { randomBytes } from 'node:crypto';
import type { ClientMetadata } from 'oidc-provider';
import { isRole, type EntryScope, type Role } from './claims.ts';
import { IdentityAdminError } from './errors.ts';
import { modelKey } from './kv-adapter.ts';
import type { IdentityStore } from './store.ts';

/** The gateway's pages: a public client (no secret) using the authorization code flow with PKCE. */
export const WEB_CLIENT_ID = 'pitwall-web';

export function webClient(redirectUris: string[]): ClientMetadata {
  return {
    client_id: WEB_CLIENT_ID,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris,
  };
}

/** Client metadata Pitwall adds: the organisation and roles of a service, edge agent or rider client. */
export const CLIENT_ORG = 'pitwall_org';
export const CLIENT_ROLES = 'pitwall_roles';
export const CLIENT_ENTRY = 'pitwall_entry';

export interface ServiceClient {
  clientId: string;
  clientSecret: string;
}

const CLIENT_ID = /^[a-z0-9-]+$/;

/**
 * Registers (or replaces) a confidential client for the client-credentials grant: edge agents, services, a rider's
 * phone. Stored in KV `identity` where the provider's adapter finds it; its tokens carry `org`, `roles`, `entry`.
 */
export async function registerServiceClient(
  store: IdentityStore,
  input: { clientId: string; org: string; roles: Role[]; entry?: EntryScope },
): Promise<ServiceClient> {
  if (!CLIENT_ID.test(input.clientId)) throw new IdentityAdminError('invalid', `client ids are slugs [a-z0-9-]+, got ${JSON.stringify(input.clientId)}`);
  if (!input.roles.every(isRole)) throw new IdentityAdminError('invalid', `unknown role in ${String(input.roles)}`);
  const clientSecret = randomBytes(32).toString('base64url');
  const metadata: ClientMetadata = {
    client_id: input.clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    [CLIENT_ORG]: input.org,
    [CLIENT_ROLES]: input.roles,
    ...(input.entry && { [CLIENT_ENTRY]: input.entry }),
  };
  await store.put(modelKey('Client', input.clientId), metadata);
  return { clientId: input.clientId, clientSecret };
}

import { errors, type Adapter, type Configuration } from 'oidc-provider';
import type { Accounts } from './accounts.ts';
import { GATEWAY_AUDIENCE, GATEWAY_SCOPE } from './claims.ts';
import { CLIENT_ENTRY, CLIENT_ORG, CLIENT_ROLES, webClient } from './clients.ts';
import type { IdentityKeys } from './keys.ts';
import { clientClaims, createExtraTokenClaims } from './token-claims.ts';

export interface ProviderSettings {
  /** Where the gateway's pages receive the authorization code. */
  webRedirectUris: string[];
  /** Lifetime of an official's or a service's access token (default 1 h). */
  accessTokenTtlSec: number;
  /** Lifetime of a competitor's token handed out by `pitwall rider token` (default 3 days). */
  riderTokenTtlSec: number;
  /** Lifetime of a login session (default 14 days). */
  sessionTtlSec: number;
}

/** The oidc-provider configuration: one place for every policy choice of Pitwall's identity provider. */
export function providerConfiguration(
  deps: { adapter: (model: string) => Adapter; accounts: Accounts; keys: IdentityKeys },
  settings: ProviderSettings,
): Configuration {
  return {
    adapter: deps.adapter as unknown as Configuration['adapter'],
    clients: [webClient(settings.webRedirectUris)],
    clientDefaults: { id_token_signed_response_alg: 'ES256' }, // only an EC key is configured (DESIGN §3)
    jwks: { keys: deps.keys.signing as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: deps.keys.cookies },
    extraClientMetadata: { properties: [CLIENT_ORG, CLIENT_ROLES, CLIENT_ENTRY] },
    async findAccount(_ctx, sub) {
      const account = await deps.accounts.find(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ sub, preferred_username: account.username, org: account.org }) };
    },
    claims: { openid: ['sub'], profile: ['preferred_username', 'org'] },
    scopes: ['openid', 'offline_access', 'profile'],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => GATEWAY_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource, client) {
          if (resource !== GATEWAY_AUDIENCE) throw new errors.InvalidTarget(`unknown resource ${resource}`);
          const rider = clientClaims(client)?.roles.includes('competitor');
          return {
            scope: GATEWAY_SCOPE,
            audience: GATEWAY_AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: rider ? settings.riderTokenTtlSec : settings.accessTokenTtlSec,
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    extraTokenClaims: createExtraTokenClaims(deps.accounts) as Configuration['extraTokenClaims'],
    ttl: {
      Session: settings.sessionTtlSec,
      Grant: settings.sessionTtlSec,
      Interaction: 3600,
      AuthorizationCode: 60,
      IdToken: settings.accessTokenTtlSec,
      AccessToken: settings.accessTokenTtlSec,
      ClientCredentials: settings.accessTokenTtlSec,
      RefreshToken: settings.sessionTtlSec,
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Pitwall sign-in error</title><h1>Sign-in error</h1><p>${escape(String(out.error))}: ${escape(String(out.error_description ?? ''))}</p>`;
    },
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

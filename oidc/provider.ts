import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import Provider from 'oidc-provider';
import { createAccounts, type Accounts } from './accounts.ts';
import { providerConfiguration, type ProviderSettings } from './configuration.ts';
import { createInteractionRoutes } from './interactions/index.ts';
import { createKvAdapterFactory } from './kv-adapter.ts';
import { loadOrCreateKeys, rotateSigningKey, type IdentityKeys } from './keys.ts';
import { createIdentityStore, type IdentityStore } from './store.ts';

export interface IdentityProviderDeps {
  /** A connection as the `identity` NATS user (it may use only KV `identity`). */
  nc: NatsConnection;
  log: (line: string) => void;
  now?: () => number;
}

export interface IdentityProviderOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The public issuer (e.g. `https://id.example.org` behind a TLS proxy); default `http://<host>:<port>`. */
  issuer?: string;
  /** Trust X-Forwarded-* from the TLS proxy in front (default: only when an issuer is given). */
  proxy?: boolean;
  webRedirectUris?: string[];
  accessTokenTtlSec?: number;
  riderTokenTtlSec?: number;
  sessionTtlSec?: number;
  /** How often expired grants, tokens, sessions and interactions are purged from KV `identity` (default 10 min). */
  sweepIntervalMs?: number;
}

export interface IdentityProvider {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  issuer: string;
  jwksUrl: string;
  accounts: Accounts;
  store: IdentityStore;
  /** A new signing key signs from now on; the old one stays on JWKS until the longest-lived token it signed expires. */
  rotateSigningKey(): Promise<IdentityKeys>;
  stop(): Promise<void>;
}

const DEFAULTS = { accessTokenTtlSec: 3600, riderTokenTtlSec: 3 * 24 * 3600, sessionTtlSec: 14 * 24 * 3600, sweepIntervalMs: 10 * 60_000 };

/**
 * Pitwall's OpenID Connect provider (oidc-provider on node:http, its own port): sign-in pages, accounts, grants,
 * sessions and keys in KV `identity`, JWT access tokens for the gateway. A key rotation swaps in a provider built
 * with the new key set; the HTTP server and everything stored stay.
 */
export async function startIdentityProvider(deps: IdentityProviderDeps, opts: IdentityProviderOptions): Promise<IdentityProvider> {
  const now = deps.now ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const settings: ProviderSettings = {
    webRedirectUris: opts.webRedirectUris ?? [],
    accessTokenTtlSec: opts.accessTokenTtlSec ?? DEFAULTS.accessTokenTtlSec,
    riderTokenTtlSec: opts.riderTokenTtlSec ?? DEFAULTS.riderTokenTtlSec,
    sessionTtlSec: opts.sessionTtlSec ?? DEFAULTS.sessionTtlSec,
  };
  const store = createIdentityStore(await new Kvm(deps.nc).open('identity'), { now });
  const accounts = createAccounts(store);
  const adapter = createKvAdapterFactory(store, { now });

  let current: { provider: Provider; handle: ReturnType<Provider['callback']> } | undefined;
  const interactions = createInteractionRoutes({ provider: () => current!.provider, accounts, log: deps.log });
  const server = http.createServer((req, res) => {
    void (async () => {
      if (await interactions(req, res)) return;
      current!.handle(req, res);
    })().catch((err: unknown) => {
      deps.log(`identity: ${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = (opts.issuer ?? `http://${host}:${port}`).replace(/\/$/, '');

  const build = (keys: IdentityKeys) => {
    const provider = new Provider(issuer, providerConfiguration({ adapter, accounts, keys }, settings));
    provider.proxy = opts.proxy ?? opts.issuer !== undefined;
    provider.on('server_error', (_ctx, err) => deps.log(`identity: ${err.message}`));
    current = { provider, handle: provider.callback() };
  };
  try {
    build(await loadOrCreateKeys(store, { now }));
  } catch (err) {
    server.close();
    throw err;
  }

  // Expired entries read as absent, but without a sweep every login and token would stay in the bucket until it is full.
  const sweep = setInterval(() => {
    store.sweepExpired().then(
      (n) => n > 0 && deps.log(`identity: purged ${n} expired entries`),
      (err: unknown) => deps.log(`identity: sweeping expired entries failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, opts.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs);
  sweep.unref();

  return {
    url: `http://${host}:${port}/`,
    port,
    issuer,
    jwksUrl: `${issuer}/jwks`,
    accounts,
    store,
    async rotateSigningKey() {
      const overlapMs = Math.max(settings.accessTokenTtlSec, settings.riderTokenTtlSec) * 1000;
      const keys = await rotateSigningKey(store, { now }, { overlapMs });
      build(keys);
      deps.log(`identity: signing with key ${keys.signing[0]?.kid}; ${keys.signing.length - 1} older key(s) still published`);
      return keys;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import type { IdentityStore } from './store.ts';

/** A private signing JWK as oidc-provider takes it. */
export type SigningJwk = JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };

interface KeyRecord {
  jwk: SigningJwk;
  createdAt: number;
  /** Set when a newer key took over signing; the key stays on JWKS until tokens it signed have expired. */
  retiredAt?: number;
}

export interface IdentityKeys {
  /** Newest first: oidc-provider signs with the first matching key and publishes all of them on JWKS. */
  signing: SigningJwk[];
  /** Cookie signing keys, newest first. */
  cookies: string[];
}

const SIGNING = 'keys.signing';
const COOKIES = 'keys.cookies';

export function newSigningKey(): SigningJwk {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('base64url'), alg: 'ES256', use: 'sig' };
}

/** The keys in KV `identity`, created on first start: a restart keeps signing with the same key and reads old cookies. */
export async function loadOrCreateKeys(store: IdentityStore, deps: { now: () => number }): Promise<IdentityKeys> {
  let signing = await store.get<KeyRecord[]>(SIGNING);
  if (!signing?.length) {
    signing = [{ jwk: newSigningKey(), createdAt: deps.now() }];
    await store.put(SIGNING, signing);
  }
  let cookies = await store.get<string[]>(COOKIES);
  if (!cookies?.length) {
    cookies = [randomBytes(32).toString('base64url')];
    await store.put(COOKIES, cookies);
  }
  return { signing: signing.map((r) => r.jwk), cookies };
}

/**
 * Rotation with overlap: a new key goes first (it signs from now on), the current one is retired but stays published,
 * and keys retired more than `overlapMs` ago (the longest token lifetime) are dropped.
 */
export async function rotateSigningKey(store: IdentityStore, deps: { now: () => number }, opts: { overlapMs: number }): Promise<IdentityKeys> {
  const now = deps.now();
  const current = (await store.get<KeyRecord[]>(SIGNING)) ?? [];
  const kept = current
    .map((r) => ({ ...r, retiredAt: r.retiredAt ?? now }))
    .filter((r) => r.retiredAt + opts.overlapMs > now);
  await store.put(SIGNING, [{ jwk: newSigningKey(), createdAt: now }, ...kept]);
  return loadOrCreateKeys(store, deps);
}

import type { KV } from '@nats-io/kv';

/** `identity` KV keys are NATS tokens joined by dots: encode any free-form id into one token. */
export const keyToken = (id: string) => Buffer.from(id, 'utf8').toString('base64url') || '_';

/** A JSON value with an optional absolute expiry (ms). nats-server 2.9 has no per-entry TTL: expiry is ours. */
interface Stored<T> {
  value: T;
  expiresAt?: number;
}

/** The identity provider's view of KV `identity`: JSON values, expired entries treated as absent. */
export interface IdentityStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown, opts?: { expiresAt?: number }): Promise<void>;
  /** Writes only if the key does not exist yet; false if it does (an account name taken, a first admin already made). */
  create(key: string, value: unknown): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export function createIdentityStore(kv: KV, deps: { now: () => number } = { now: Date.now }): IdentityStore {
  const decode = <T>(entry: Awaited<ReturnType<KV['get']>>): T | undefined => {
    if (!entry || entry.operation !== 'PUT') return undefined;
    const stored = entry.json<Stored<T>>();
    if (stored.expiresAt !== undefined && stored.expiresAt <= deps.now()) return undefined;
    return stored.value;
  };
  const encode = (value: unknown, expiresAt?: number) => JSON.stringify({ value, expiresAt } satisfies Stored<unknown>);
  return {
    get: async (key) => decode(await kv.get(key)),
    async put(key, value, opts = {}) {
      await kv.put(key, encode(value, opts.expiresAt));
    },
    async create(key, value) {
      try {
        await kv.create(key, encode(value));
        return true;
      } catch (err) {
        if (await kv.get(key).then((e) => e?.operation === 'PUT')) return false;
        throw err;
      }
    },
    async delete(key) {
      await kv.delete(key);
    },
  };
}

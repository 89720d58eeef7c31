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
  /** The keys under a prefix of NATS tokens (`traccar` lists `traccar.*`), live entries only. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Read-modify-write without lost updates: `change` gets the current value (undefined if absent or expired) and
   * returns the new one; a concurrent writer in between makes it run again on the fresh value.
   */
  update<T>(key: string, change: (current: T | undefined) => T, opts?: { expiresAt?: number }): Promise<void>;
  /** Purges entries whose expiry has passed (nats-server 2.9 cannot expire single entries); returns how many. */
  sweepExpired(): Promise<number>;
}

/** Attempts of `update` before giving up: only reached if writers keep racing on one key. */
const UPDATE_ATTEMPTS = 20;

export function createIdentityStore(kv: KV, deps: { now: () => number } = { now: Date.now }): IdentityStore {
  const expired = (stored: Stored<unknown>) => stored.expiresAt !== undefined && stored.expiresAt <= deps.now();
  const decode = <T>(entry: Awaited<ReturnType<KV['get']>>): T | undefined => {
    if (!entry || entry.operation !== 'PUT') return undefined;
    const stored = entry.json<Stored<T>>();
    return expired(stored) ? undefined : stored.value;
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
    async keys(prefix) {
      const out: string[] = [];
      for await (const key of await kv.keys(`${prefix}.>`)) out.push(key);
      return out;
    },
    async update(key, change, opts = {}) {
      for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
        const entry = await kv.get(key);
        const next = encode(change(decode(entry)), opts.expiresAt);
        try {
          // Revision 0 means "must not exist"; a delete marker is an entry whose revision we can update on.
          if (entry) await kv.update(key, next, entry.revision);
          else await kv.create(key, next);
          return;
        } catch (err) {
          if (!isWrongRevision(err)) throw err;
        }
      }
      throw new Error(`identity: ${key} kept changing under ${UPDATE_ATTEMPTS} concurrent updates`);
    },
    async sweepExpired() {
      let purged = 0;
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT' || !expired(entry.json<Stored<unknown>>())) continue;
        // Purge only this revision: an entry rewritten since we read it stays.
        await kv.purge(key, { previousSeq: entry.revision }).then(() => purged++, (err: unknown) => {
          if (!isWrongRevision(err)) throw err;
        });
      }
      return purged;
    },
  };
}

/** JetStream's "wrong last sequence" (10071): another writer got there first. */
const isWrongRevision = (err: unknown) => err instanceof Error && /wrong last sequence/i.test(err.message);

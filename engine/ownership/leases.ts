import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Log } from '../log.ts';

/**
 * Leases in KV `session-owner`: one key per thing only one engine may do at a time (`<track>.<session>` for a live
 * session, `_ingest` for ingest). The holder renews its key with compare-and-set every `ttlMs / 3`; every renewal is
 * a new KV revision.
 *
 * Expiry needs no shared clock: a contender watches the bucket and notes, on its own monotonic clock, when it first
 * saw each revision. A revision unchanged for `ttlMs` means the holder stopped renewing; the contender then takes the
 * key with compare-and-set on that revision, so of several contenders exactly one wins, and a holder that renewed in
 * the meantime keeps it. The holder counts its own `ttlMs` from the moment it *sent* a renewal, which is before any
 * contender can have seen it: its `valid()` turns false no later than a contender may take over (for equal clock rates).
 *
 * The KV revision of the taking write is the lease's *epoch*: later holders have larger epochs. It fences everything
 * the holder writes (engine/ownership/fence.ts), because a holder that was paused can resume and write before it
 * notices anything. A key held by this same node name is taken back at once (the node restarted; node names must be
 * unique per engine process). A graceful stop deletes the key so that another engine takes over without waiting.
 */

export interface Lease {
  key: string;
  /** The KV revision that took the key: larger than every earlier holder's. */
  epoch: number;
  /** True while the last renewal this holder sent is younger than the TTL, on this process's clock. */
  valid(): boolean;
  /** Resolves with the reason once the lease is lost (another engine took it, or `surrender`); renewal has stopped. */
  lost: Promise<string>;
  /** Gives the lease up locally (e.g. a newer owner's marker was seen): stops renewing, resolves `lost`. */
  surrender(reason: string): void;
  /** Graceful end: stops renewing and deletes the key (if still ours), so another engine takes over at once. */
  release(): Promise<void>;
}

const RELEASED = 'released';

export interface LeaseHolder {
  node: string;
  /** One engine process: node name, pid and a random id. */
  instance: string;
  epoch?: number;
}

export interface Leases {
  /** Takes `key` if it is free, expired, or held by this node before a restart; undefined otherwise. */
  tryAcquire(key: string): Promise<Lease | undefined>;
  /** Who holds `key` as last seen, if anyone. */
  holder(key: string): LeaseHolder | undefined;
  /** Stops the watch and every renewal, without releasing (what a crash looks like to the others). */
  stop(): Promise<void>;
}

export interface LeaseOptions {
  node: string;
  ttlMs: number;
}

/** A KV write refused because the key moved on (compare-and-set). */
export const isConflict = (err: unknown) =>
  err instanceof JetStreamApiError &&
  (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

export async function createLeases(deps: { kv: KV; log: Log }, opts: LeaseOptions): Promise<Leases> {
  const instance = `${opts.node}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const now = () => performance.now();
  /** Latest entry per key and when this process first saw its revision. */
  const seen = new Map<string, { entry: KvEntry; at: number }>();
  const mine = new Map<string, { lost: (reason: string) => void; revision: number }>();
  const watch = await deps.kv.watch({ key: '>' });
  const watching = (async () => {
    for await (const entry of watch) {
      const before = seen.get(entry.key);
      if (!before || before.entry.revision !== entry.revision) seen.set(entry.key, { entry, at: now() });
      const held = mine.get(entry.key);
      if (held && entry.revision > held.revision) {
        const holder = holderOf(entry);
        if (holder?.instance !== instance) held.lost(holder ? `taken by ${holder.node} (revision ${entry.revision})` : `deleted (revision ${entry.revision})`);
      }
    }
  })();
  const timers = new Set<ReturnType<typeof setInterval>>();

  const value = (epoch?: number) => JSON.stringify({ node: opts.node, instance, ...(epoch === undefined ? {} : { epoch }) } satisfies LeaseHolder);

  async function take(key: string): Promise<number | undefined> {
    const last = seen.get(key);
    try {
      if (!last || last.entry.operation !== 'PUT') return await deps.kv.create(key, value());
      const holder = holderOf(last.entry);
      if (holder?.node === opts.node || now() - last.at >= opts.ttlMs) return await deps.kv.update(key, value(), last.entry.revision);
      return undefined;
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }

  function hold(key: string, epoch: number, sentAt: number): Lease {
    let revision = epoch;
    let renewedAt = sentAt;
    let done = false;
    let resolveLost: (reason: string) => void = () => undefined;
    const lost = new Promise<string>((resolve) => (resolveLost = resolve));
    const end = (reason: string) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      timers.delete(timer);
      mine.delete(key);
      deps.log(`lease ${key}: ${reason === RELEASED ? RELEASED : `lost (${reason})`}`, { lease: key, epoch, level: reason === RELEASED ? 'info' : 'warn' });
      resolveLost(reason);
    };
    const renew = async () => {
      const sent = now();
      try {
        revision = await deps.kv.update(key, value(epoch), revision);
        const held = mine.get(key);
        if (held) held.revision = revision;
        renewedAt = sent;
      } catch (err) {
        if (isConflict(err)) end('another engine holds it now');
        else if (!done) deps.log(`lease ${key}: renewal failed: ${(err as Error).message}`, { lease: key, level: 'warn' });
      }
    };
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing || done) return;
      renewing = true;
      void renew().finally(() => (renewing = false));
    }, Math.max(50, Math.floor(opts.ttlMs / 3)));
    timers.add(timer);
    mine.set(key, { lost: end, revision });
    return {
      key,
      epoch,
      valid: () => !done && now() - renewedAt < opts.ttlMs,
      lost,
      surrender: end,
      async release() {
        if (done) return;
        end(RELEASED);
        await deps.kv.delete(key, { previousSeq: revision }).catch(() => undefined);
      },
    };
  }

  return {
    async tryAcquire(key) {
      if (mine.has(key)) return undefined;
      const sentAt = now();
      const epoch = await take(key);
      if (epoch === undefined) return undefined;
      deps.log(`lease ${key}: taken by ${opts.node} (epoch ${epoch})`, { lease: key, epoch });
      return hold(key, epoch, sentAt);
    },
    holder(key) {
      const last = seen.get(key);
      return last ? holderOf(last.entry) : undefined;
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      watch.stop();
      await watching.catch(() => undefined);
    },
  };
}

function holderOf(entry: KvEntry): LeaseHolder | undefined {
  if (entry.operation !== 'PUT') return undefined;
  try {
    return entry.json<LeaseHolder>();
  } catch {
    return undefined;
  }
}

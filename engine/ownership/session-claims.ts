import { performance } from 'node:perf_hooks';
import type { KV } from '@nats-io/kv';
import { OPEN_SESSIONS_KEY, type OpenSessionRef } from '../ingest.ts';
import type { Log } from '../log.ts';
import type { Lease, Leases } from './leases.ts';

/**
 * Which live sessions this engine runs. The open sessions are the list ingest keeps in KV `session-state`
 * (`_open-sessions`); every engine watches it and, every `checkMs`, tries the lease of each open session it does not
 * hold (leases.ts: free, expired, or its own node's from before a restart). So a new session goes to the first engine
 * to ask, and a dead engine's sessions go to another within the lease TTL plus `checkMs`. So that sessions spread over
 * the engines, an engine that runs N sessions more than the least busy other engine waits N × `checkMs` before it
 * asks for another; one that has heard of no other engine does not wait (while it is too new to know, it waits for
 * every session it runs). The wait matters: until a new session's owner claims it, ingest retries that session's
 * opening in place and every other session's passings wait behind it. What the engine does with a session it won is
 * `onClaimed`; when the lease is lost it calls `onLost`.
 */
export interface SessionClaims {
  /** Claims `ref` now, before the saved list shows it (ingest has just opened it on this engine). */
  want(ref: OpenSessionRef): void;
  /** The leases this engine holds, by `<track>.<session>`. */
  held(): Map<string, Lease>;
  /** Stops claiming; with `release`, gives every held lease back so another engine takes over at once. */
  stop(opts: { release: boolean }): Promise<void>;
}

export const sessionKey = (ref: { track: string; session: string }) => `${ref.track}.${ref.session}`;

export async function startSessionClaims(
  deps: {
    state: KV;
    leases: Leases;
    log: Log;
    onClaimed(ref: OpenSessionRef, lease: Lease): void;
    onLost(ref: OpenSessionRef, reason: string): void;
    /** Sessions each other live engine runs; undefined while unknown (peer-engines.ts). */
    peerSessionCounts(): number[] | undefined;
  },
  opts: { checkMs: number },
): Promise<SessionClaims> {
  const wanted = new Map<string, OpenSessionRef>();
  /** When each wanted session was first seen wanted (performance.now()). */
  const wantedSince = new Map<string, number>();
  const held = new Map<string, Lease>();
  const trying = new Set<string>();
  let stopped = false;

  /** Lets less busy engines ask first (see above). */
  const waitBeforeClaimMs = () => {
    const peers = deps.peerSessionCounts();
    if (peers === undefined) return held.size * opts.checkMs;
    if (peers.length === 0) return 0;
    return Math.max(0, held.size - Math.min(...peers)) * opts.checkMs;
  };
  const claimAll = () => {
    for (const [key, ref] of wanted) void claim(key, ref);
  };
  const watch = await deps.state.watch({ key: OPEN_SESSIONS_KEY });
  const watching = (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue;
      let list: OpenSessionRef[];
      try {
        list = entry.json<OpenSessionRef[]>();
      } catch {
        deps.log(`claims: ${OPEN_SESSIONS_KEY} revision ${entry.revision} is not a session list: ignored`, { level: 'warn' });
        continue;
      }
      wanted.clear();
      for (const ref of list) wanted.set(sessionKey(ref), ref);
      for (const key of wantedSince.keys()) if (!wanted.has(key)) wantedSince.delete(key);
      claimAll();
    }
  })();

  async function claim(key: string, ref: OpenSessionRef): Promise<void> {
    if (held.has(key) || trying.has(key) || stopped) return;
    if (!wantedSince.has(key)) wantedSince.set(key, performance.now());
    if (performance.now() - wantedSince.get(key)! < waitBeforeClaimMs()) return;
    trying.add(key);
    try {
      const lease = await deps.leases.tryAcquire(key);
      if (!lease) return;
      if (stopped) return void (await lease.release());
      held.set(key, lease);
      void lease.lost.then((reason) => {
        if (held.get(key) !== lease) return;
        held.delete(key);
        deps.onLost(ref, reason);
      });
      deps.onClaimed(ref, lease);
    } catch (err) {
      deps.log(`claims: ${key}: ${(err as Error).message}`, { level: 'warn', session: key });
    } finally {
      trying.delete(key);
    }
  }
  const timer = setInterval(claimAll, opts.checkMs);

  return {
    want(ref) {
      wanted.set(sessionKey(ref), ref);
      void claim(sessionKey(ref), ref);
    },
    held: () => held,
    async stop({ release }) {
      stopped = true;
      clearInterval(timer);
      watch.stop();
      await watching.catch(() => undefined);
      if (release) await Promise.all([...held.values()].map((lease) => lease.release()));
      held.clear();
    },
  };
}

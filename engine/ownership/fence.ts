import type { SessionInput } from '../../actors/contracts/events.ts';
import { TIMING_KINDS, type TimingKind } from '../../actors/contracts/subjects.ts';

/**
 * The fence: which of a session's RACE events count, decided by stream order alone.
 *
 * Each engine that takes a session (engine/ownership/leases.ts) holds a lease whose KV revision is its *epoch*, larger
 * than every earlier owner's. Before it writes anything it appends an ownership marker `timing.<track>.<session>.owner`
 * `{atUs, lease: epoch, node}`, and every event it writes afterwards carries `lease: epoch`. Folding a session in
 * stream order, an event counts only when its `lease` equals the epoch of the latest marker before it; anything else
 * is a stale owner's write and is ignored (and counted).
 *
 * Why this is correct and not just likely: the stream orders all writes. An owner that was paused (SIGSTOP, a long GC,
 * a partition) may resume and publish before it has checked anything; its write then lands after the new owner's
 * marker and carries the old epoch, so every reader — the live host, a replay after a restart, a rebuild from the
 * ClickHouse archive, the tests' offline fold — ignores it in exactly the same way. Writes that landed before the
 * marker were the old owner's while it still owned the session, and count for everyone alike.
 *
 * Events without `lease` were written before ownership existed (epoch 0) and count until the first marker.
 */

/** `timing.<track>.<session>.owner`. */
export interface OwnerMarker {
  atUs: number;
  lease: number;
  node: string;
}

export type FenceVerdict = 'marker' | 'current' | 'stale';

export interface Fence {
  /** The verdict on the next event of the session in stream order (and, for a newer marker, the new epoch). */
  admit(kind: TimingKind, payload: { lease?: unknown }): FenceVerdict;
  /** The epoch of the latest marker admitted so far (0 before any). */
  epoch(): number;
}

export function createFence(epoch = 0): Fence {
  let current = epoch;
  return {
    admit(kind, payload) {
      const lease = typeof payload.lease === 'number' ? payload.lease : 0;
      if (kind === 'owner') {
        if (lease < current) return 'stale';
        current = lease;
        return 'marker';
      }
      return lease === current ? 'current' : 'stale';
    },
    epoch: () => current,
  };
}

const isTimingKind = (kind: string): kind is TimingKind => (TIMING_KINDS as readonly string[]).includes(kind);

/**
 * A session's RACE events (kind and JSON payload, in stream order) → the inputs that count, and how many did not.
 * The actor's own laps and race control's audit records are not inputs.
 */
export function fencedInputs(events: { kind: string; payload: unknown }[]): { inputs: SessionInput[]; stale: number } {
  const fence = createFence();
  const inputs: SessionInput[] = [];
  let stale = 0;
  for (const { kind, payload } of events) {
    if (!isTimingKind(kind) || typeof payload !== 'object' || payload === null) continue;
    const verdict = fence.admit(kind, payload);
    if (verdict === 'stale') stale++;
    else if (verdict === 'current' && kind !== 'lap' && kind !== 'audit') inputs.push(withoutLease(payload as SessionInput));
  }
  return { inputs, stale };
}

/** The input as the actor reads it: the epoch is the fence's business. */
export function withoutLease<T extends object>(payload: T): T {
  if (!('lease' in payload)) return payload;
  const { lease: _lease, ...rest } = payload as T & { lease: unknown };
  return rest as T;
}

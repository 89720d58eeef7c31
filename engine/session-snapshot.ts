import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { KV } from '@nats-io/kv';
import type { SessionView } from '../actors/contracts/view.ts';
import type { PersistedSession } from '../actors/session-actor.ts';
import { isConflict } from './ownership/leases.ts';

/** A session's snapshot in KV `session-state` under `<track>.<session>`: everything a new host needs to continue. */
export interface SessionSnapshot {
  version: 1;
  /** The actor's persisted machines and scoring state. */
  actor: PersistedSession;
  /** The RACE stream sequence the actor state includes; replay continues after it. */
  streamSeq: number;
  /** The last published view and its seq. */
  seq: number;
  view: SessionView;
  /** The fence's epoch at `streamSeq` (engine/ownership/fence.ts); absent in snapshots from before ownership (0). */
  fence?: number;
  /** The lease epoch of the host that saved it: a host never overwrites a snapshot of a newer owner. */
  writer?: number;
}

/** A snapshot and the KV revision it was read at (for the compare-and-set of the next save). */
export interface StoredSnapshot {
  snapshot: SessionSnapshot;
  revision: number;
}

/** A newer owner saved the session's snapshot: this host is stale and must not write. */
export class SupersededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupersededError';
  }
}

export const snapshotKey = (ref: { track: string; session: string }) => `${ref.track}.${ref.session}`;

/**
 * Stored as gzip-compressed JSON: a 24-hour race's snapshot is 1.7 MB of JSON (mostly the kept passings, ~25 bytes
 * each), over NATS's 1 MB max_payload, so it could not be saved and a takeover replayed from the last one that fitted
 * (bench/system/actor-rebuild.ts). Compressed in the thread pool, so a save never stalls the session. Snapshots
 * saved before as plain JSON still load.
 */
const gzipAsync = promisify(gzip);
const encodeSnapshot = (snapshot: SessionSnapshot): Promise<Uint8Array> => gzipAsync(JSON.stringify(snapshot));
const isGzip = (data: Uint8Array) => data[0] === 0x1f && data[1] === 0x8b;
const decodeSnapshot = (data: Uint8Array): SessionSnapshot =>
  JSON.parse(isGzip(data) ? gunzipSync(data).toString('utf8') : new TextDecoder().decode(data)) as SessionSnapshot;

export async function loadSessionSnapshot(kv: KV, ref: { track: string; event: string; session: string }): Promise<StoredSnapshot | undefined> {
  const entry = await kv.get(snapshotKey(ref));
  if (!entry || entry.operation !== 'PUT') return undefined;
  const snapshot = decodeSnapshot(entry.value);
  if (snapshot.version !== 1 || snapshot.actor.ref.event !== ref.event) {
    throw new Error(`session-state ${snapshotKey(ref)} holds a snapshot this engine cannot restore (version ${snapshot.version}, event ${snapshot.actor.ref.event})`);
  }
  return { snapshot, revision: entry.revision };
}

/**
 * Saves with compare-and-set on `revision` (the one this host last read or wrote; 0: none) and returns the new one.
 * When the key moved on, the stored snapshot decides: saved by a newer owner (larger `writer`) → SupersededError;
 * otherwise (a stale owner's late save, or this host's own earlier one) it is overwritten.
 */
export async function saveSessionSnapshot(kv: KV, ref: { track: string; session: string }, snapshot: SessionSnapshot, revision: number): Promise<number> {
  const key = snapshotKey(ref);
  const data = await encodeSnapshot(snapshot);
  for (let expected = revision; ; ) {
    try {
      return expected === 0 ? await kv.create(key, data) : await kv.update(key, data, expected);
    } catch (err) {
      if (!isConflict(err)) throw err;
      const entry = await kv.get(key);
      const stored = entry?.operation === 'PUT' ? decodeSnapshot(entry.value) : undefined;
      if ((stored?.writer ?? 0) > (snapshot.writer ?? 0)) {
        throw new SupersededError(`session-state ${key} was saved by a newer owner (epoch ${stored?.writer}, this host ${snapshot.writer})`);
      }
      expected = entry?.revision ?? 0;
    }
  }
}

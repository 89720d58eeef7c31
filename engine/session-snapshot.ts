import type { KV } from '@nats-io/kv';
import type { SessionView } from '../actors/contracts/view.ts';
import type { PersistedSession } from '../actors/session-actor.ts';

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
}

export const snapshotKey = (ref: { track: string; session: string }) => `${ref.track}.${ref.session}`;

export async function loadSessionSnapshot(kv: KV, ref: { track: string; event: string; session: string }): Promise<SessionSnapshot | undefined> {
  const entry = await kv.get(snapshotKey(ref));
  if (!entry || entry.operation !== 'PUT') return undefined;
  const snapshot = entry.json<SessionSnapshot>();
  if (snapshot.version !== 1 || snapshot.actor.ref.event !== ref.event) {
    throw new Error(`session-state ${snapshotKey(ref)} holds a snapshot this engine cannot restore (version ${snapshot.version}, event ${snapshot.actor.ref.event})`);
  }
  return snapshot;
}

export async function saveSessionSnapshot(kv: KV, ref: { track: string; session: string }, snapshot: SessionSnapshot): Promise<void> {
  await kv.put(snapshotKey(ref), JSON.stringify(snapshot));
}

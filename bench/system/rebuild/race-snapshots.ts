import type { KV } from '@nats-io/kv';
import { createSessionActor } from '../../../actors/session-actor.ts';
import { saveSessionSnapshot, type SessionSnapshot } from '../../../engine/session-snapshot.ts';
import type { Race24h } from './race-24h.ts';

/**
 * The KV `session-state` snapshots a live host would have saved for a generated race. The snapshot keeps the folded
 * passings (for passing edits), so it grows with the race; NATS refuses a message over `max_payload` (1 MB in
 * nats.conf), and from then on the host's saves fail (it logs "snapshot not saved" and keeps scoring) while KV keeps
 * the last one that fitted. A takeover at the end of the race therefore restores *that* one and replays the rest.
 *
 * `snapshotsOf` folds the race once and returns the snapshot after every `every` inputs that fits in `limitBytes`
 * (the last two, newest first), and the snapshot at the very end, fitting or not, with their JSON sizes.
 */
export interface SizedSnapshot {
  snapshot: SessionSnapshot;
  bytes: number;
  /** Inputs folded into it, and the passings among them. */
  inputs: number;
  passings: number;
}

export function snapshotsOf(race: Race24h, inputSeqs: number[], epoch: number, opts: { every: number; limitBytes: number }): { fitting: SizedSnapshot[]; final: SizedSnapshot } {
  const actor = createSessionActor(race.ref, { publishLap: () => undefined });
  let passings = 0;
  const take = (folded: number): SizedSnapshot => {
    const snapshot: SessionSnapshot = {
      version: 1,
      actor: actor.persist(),
      streamSeq: inputSeqs[folded - 1]!,
      seq: folded,
      view: actor.view(),
      fence: epoch,
      writer: epoch,
    };
    return { snapshot, bytes: Buffer.byteLength(JSON.stringify(snapshot)), inputs: folded, passings };
  };
  let fitting: SizedSnapshot[] = [];
  for (const [i, input] of race.inputs.entries()) {
    actor.send(input);
    if (input.kind === 'passing') passings++;
    if ((i + 1) % opts.every !== 0) continue;
    const s = take(i + 1);
    if (s.bytes <= opts.limitBytes) fitting = [s, ...fitting].slice(0, 2);
  }
  const final = take(race.inputs.length);
  actor.stop();
  return { fitting, final };
}

/**
 * Stores `snapshot` as the session's only snapshot with the engine's own save (session-snapshot.ts), after clearing
 * the key; the error message when NATS refuses it (too large).
 */
export async function storeSnapshot(kv: KV, race: Race24h, snapshot: SessionSnapshot): Promise<{ saved: true } | { saved: false; error: string }> {
  await kv.purge(`${race.ref.track}.${race.ref.session}`);
  try {
    await saveSessionSnapshot(kv, race.ref, snapshot, 0);
    return { saved: true };
  } catch (err) {
    return { saved: false, error: (err as Error).message };
  }
}

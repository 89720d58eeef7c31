import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { encode } from '@msgpack/msgpack';
import type { Registry } from 'prom-client';
import { lapMsgId, type LapEvent, type SessionInput } from '../actors/contracts/events.ts';
import { parseTimingSubject, subjects } from '../actors/contracts/subjects.ts';
import type { SessionView, ViewDiffMessage, ViewSnapshotMessage } from '../actors/contracts/view.ts';
import { diffView } from '../actors/contracts/view-diff.ts';
import { createSessionActor, type SessionActorDeps } from '../actors/session-actor.ts';
import { counter, inputErrors, sessionRejections } from './metrics.ts';
import type { Log } from './log.ts';
import type { PoisonRegistry } from './poison.ts';
import { loadSessionSnapshot, saveSessionSnapshot, type SessionSnapshot } from './session-snapshot.ts';

/**
 * Runs one session actor: folds the session's events from stream RACE in order, writes the laps it completes back to
 * RACE (message id per car and lap, so a rebuilt actor writes none twice), and publishes the view: coalesced diffs
 * with consecutive `seq` on `view.<track>.<session>` at most every `coalesceMs`, and `{seq, view}` snapshots on
 * request. The snapshot is always the last *published* view, so a client's snapshot + later diffs add up exactly.
 *
 * Recovery: every `snapshotEveryEvents` events (or `snapshotEveryMs` with news) the host saves a snapshot to KV
 * `session-state` — the actor's persisted state, the RACE sequence it includes, the published view and its seq. A new
 * host starts from it and replays RACE from the next sequence; time comes only from events, so the result is
 * byte-identical to an uninterrupted run. Its first seq jumps by RESTART_SEQ_JUMP past the snapshot's, beyond any
 * seq the old host may have published after it, so spectators see a gap and resync with one snapshot instead of
 * applying a diff meant for another view.
 */

export const RESTART_SEQ_JUMP = 1000;

export interface SessionRef {
  track: string;
  event: string;
  session: string;
}

export interface SessionHostDeps {
  nc: NatsConnection;
  registry: Registry;
  log: Log;
  /** KV `session-state`. */
  state: KV;
  poison: PoisonRegistry;
  /** Passed to the actor (tests inject a faulty reducer). */
  reduce?: SessionActorDeps['reduce'];
}

export interface SessionHostOptions {
  coalesceMs?: number;
  snapshotEveryEvents?: number;
  snapshotEveryMs?: number;
}

export interface SessionHost {
  ref: SessionRef;
  /** The last published view and its seq. */
  published(): { seq: number; view: SessionView | undefined };
  /** RACE stream sequence of the last event applied. */
  appliedStreamSeq(): number;
  /** Rejects when the host fails (the supervisor restarts it); never resolves otherwise. */
  failed: Promise<never>;
  /** Stops after a final snapshot (graceful shutdown). */
  stop(): Promise<void>;
}

export async function startSessionHost(deps: SessionHostDeps, ref: SessionRef, opts: SessionHostOptions = {}): Promise<SessionHost> {
  const key = `${ref.track}.${ref.session}`;
  const fields = { track: ref.track, event: ref.event, session: ref.session };
  const errors = inputErrors(deps.registry);
  const rejections = sessionRejections(deps.registry);
  const poisoned = counter(deps.registry, 'pitwall_poison_messages_total', 'Session events terminated after making an actor throw twice');
  const js = jetstream(deps.nc);
  const pendingLaps = new Set<Promise<unknown>>();
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);

  const restored = await loadSessionSnapshot(deps.state, ref);
  if (restored) deps.log(`session ${key}: restored at RACE seq ${restored.streamSeq}, view seq ${restored.seq}`, { ...fields, streamSeq: restored.streamSeq });
  const actor = createSessionActor(
    ref,
    {
      publishLap(lap: LapEvent) {
        const p = js
          .publish(subjects.timing(ref.track, ref.session, 'lap'), JSON.stringify(lap), { msgID: lapMsgId(lap) })
          .catch((err: Error) => fail(new Error(`lap ${lap.car}/${lap.lap} not written: ${err.message}`)))
          .finally(() => pendingLaps.delete(p));
        pendingLaps.add(p);
      },
      reduce: deps.reduce,
    },
    restored?.actor,
  );

  let seq = restored ? restored.seq + RESTART_SEQ_JUMP : 0;
  let last: SessionView | undefined = restored?.view;
  let applied = restored?.streamSeq ?? 0;
  let sinceSnapshot = 0;
  let lastSnapshotAt = Date.now();
  let saving: Promise<void> | undefined;
  let crashed = false;

  const snapshot = (): SessionSnapshot => ({ version: 1, actor: actor.persist(), streamSeq: applied, seq, view: last ?? actor.view() });
  const saveSnapshot = async () => {
    const s = snapshot();
    sinceSnapshot = 0;
    lastSnapshotAt = Date.now();
    await saveSessionSnapshot(deps.state, ref, s);
  };

  const viewSubject = subjects.view(ref.track, ref.session);
  const publishDiff = () => {
    const next = actor.view();
    if (!last) {
      last = next;
      return;
    }
    const diff = diffView(last, next);
    if (!diff) return;
    seq++;
    last = next;
    const message: ViewDiffMessage = { seq, diff };
    deps.nc.publish(viewSubject, encode(message));
  };
  const due = () =>
    !saving &&
    !crashed &&
    sinceSnapshot > 0 &&
    (sinceSnapshot >= (opts.snapshotEveryEvents ?? 500) || Date.now() - lastSnapshotAt >= (opts.snapshotEveryMs ?? 2000));
  const timer = setInterval(() => {
    try {
      publishDiff();
      // Taken right after a publish, so the snapshot's seq is the last one spectators saw.
      if (due()) saving = saveSnapshot().catch((err: Error) => deps.log(`session ${key}: snapshot not saved: ${err.message}`, { ...fields, level: 'error' })).finally(() => (saving = undefined));
    } catch (err) {
      fail(err as Error);
    }
  }, opts.coalesceMs ?? 100);

  const snapshots = deps.nc.subscribe(subjects.viewSnapshot(ref.track, ref.session), {
    callback: (err, msg) => {
      if (err) return;
      const view = (last ??= actor.view());
      const reply: ViewSnapshotMessage = { seq, view };
      msg.respond(encode(reply));
    },
  });

  // nats-server 2.9 knows only a single `filter_subject`; the client sends a string (not a list) as exactly that.
  const filter: string = `timing.${ref.track}.${ref.session}.>`;
  const consumer = await js.consumers.get('RACE', {
    filter_subjects: filter as unknown as string[],
    ...(restored ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: restored.streamSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
  });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const msg of messages) {
      const kind = parseTimingSubject(msg.subject)?.kind;
      if (kind === 'lap') {
        applied = msg.seq; // our own output
        continue;
      }
      if (deps.poison.isPoison(key, msg.seq)) {
        poisoned.inc();
        deps.log(`session ${key}: RACE seq ${msg.seq} (${msg.subject}) made the actor throw twice: terminated`, { ...fields, streamSeq: msg.seq, level: 'error' });
        applied = msg.seq;
        continue;
      }
      let input: SessionInput;
      try {
        input = msg.json<SessionInput>();
      } catch {
        errors.inc({ kind: 'bad_race_event' });
        deps.log(`session ${key}: undecodable event at RACE seq ${msg.seq}: skipped`, { ...fields, streamSeq: msg.seq, level: 'warn' });
        applied = msg.seq;
        continue;
      }
      const before = actor.rejected();
      try {
        actor.send(input);
      } catch (err) {
        crashed = true; // no snapshot of a state that threw
        const attempts = deps.poison.failed(key, msg.seq);
        throw new Error(`actor threw at RACE seq ${msg.seq} (attempt ${attempts}): ${(err as Error).message}`, { cause: err });
      }
      applied = msg.seq;
      sinceSnapshot++;
      for (const [kind, count] of Object.entries(actor.rejected())) {
        const added = count - (before[kind as keyof typeof before] ?? 0);
        if (added > 0) rejections.inc({ kind }, added);
      }
    }
  })();
  loop.catch((err: Error) => {
    crashed = true;
    fail(new Error(`session ${key}: ${err.message}`, { cause: err }));
  });

  return {
    ref,
    published: () => ({ seq, view: last }),
    appliedStreamSeq: () => applied,
    failed,
    async stop() {
      clearInterval(timer);
      await messages.close();
      await loop.catch(() => undefined);
      snapshots.unsubscribe();
      await Promise.allSettled([...pendingLaps]);
      await saving;
      // A crashed actor's state is suspect: keep the last good snapshot instead.
      if (!crashed) {
        publishDiff();
        await saveSnapshot().catch((err: Error) => deps.log(`session ${key}: final snapshot not saved: ${err.message}`, { ...fields, level: 'error' }));
      }
      actor.stop();
    },
  };
}

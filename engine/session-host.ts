import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { encode } from '@msgpack/msgpack';
import type { Registry } from 'prom-client';
import { lapMsgId, type LapEvent, type SessionInput } from '../actors/contracts/events.ts';
import { parseTimingSubject, subjects } from '../actors/contracts/subjects.ts';
import type { SessionView, ViewDiffMessage, ViewSnapshotMessage } from '../actors/contracts/view.ts';
import { diffView } from '../actors/contracts/view-diff.ts';
import { createSessionActor } from '../actors/session-actor.ts';
import { inputErrors, sessionRejections } from './metrics.ts';

/**
 * Runs one session actor: folds the session's events from stream RACE in order, writes the laps it completes back to
 * RACE (message id per car and lap, so a rebuilt actor writes none twice), and publishes the view: coalesced diffs
 * with consecutive `seq` on `view.<track>.<session>` at most every `coalesceMs`, and `{seq, view}` snapshots on
 * request. The snapshot is always the last *published* view, so a client's snapshot + later diffs add up exactly.
 */

export interface SessionRef {
  track: string;
  event: string;
  session: string;
}

export interface SessionHostDeps {
  nc: NatsConnection;
  registry: Registry;
  log: (line: string) => void;
}

export interface SessionHost {
  ref: SessionRef;
  /** The last published view and its seq. */
  published(): { seq: number; view: SessionView | undefined };
  /** RACE stream sequence of the last event applied. */
  appliedStreamSeq(): number;
  /** Rejects when the host fails (the supervisor restarts it); never resolves otherwise. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

export async function startSessionHost(
  deps: SessionHostDeps,
  ref: SessionRef,
  opts: { coalesceMs?: number } = {},
): Promise<SessionHost> {
  const errors = inputErrors(deps.registry);
  const rejections = sessionRejections(deps.registry);
  const js = jetstream(deps.nc);
  const pendingLaps = new Set<Promise<unknown>>();
  let fail: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);

  const actor = createSessionActor(ref, {
    publishLap(lap: LapEvent) {
      const p = js
        .publish(subjects.timing(ref.track, ref.session, 'lap'), JSON.stringify(lap), { msgID: lapMsgId(lap) })
        .catch((err: Error) => fail(new Error(`lap ${lap.car}/${lap.lap} not written: ${err.message}`)))
        .finally(() => pendingLaps.delete(p));
      pendingLaps.add(p);
    },
  });

  let seq = 0;
  let last: SessionView | undefined;
  let applied = 0;
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
  const timer = setInterval(() => {
    try {
      publishDiff();
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
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const msg of messages) {
      const kind = parseTimingSubject(msg.subject)?.kind;
      applied = msg.seq;
      if (kind === 'lap') continue; // our own output
      let input: SessionInput;
      try {
        input = msg.json<SessionInput>();
      } catch {
        errors.inc({ kind: 'bad_race_event' });
        deps.log(`session ${ref.track}/${ref.session}: undecodable event at RACE seq ${msg.seq}: skipped`);
        continue;
      }
      const before = actor.rejected();
      actor.send(input); // a throw here ends the loop and fails the host
      for (const [kind, count] of Object.entries(actor.rejected())) {
        const added = count - (before[kind as keyof typeof before] ?? 0);
        if (added > 0) rejections.inc({ kind }, added);
      }
    }
  })();
  loop.catch((err: Error) => fail(new Error(`${ref.track}/${ref.session} at RACE seq ${applied}: ${err.message}`, { cause: err })));

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
      actor.stop();
    },
  };
}

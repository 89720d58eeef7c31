import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { encode } from '@msgpack/msgpack';
import type { Registry } from 'prom-client';
import { lapMsgId, type LapEvent, type SessionInput } from '../actors/contracts/events.ts';
import { parseTimingSubject, subjects, timingKindOf, type TimingKind } from '../actors/contracts/subjects.ts';
import type { SessionView, ViewDiffMessage, ViewSnapshotMessage } from '../actors/contracts/view.ts';
import { diffView } from '../actors/contracts/view-diff.ts';
import { createSessionActor, type SessionActorDeps, type SessionActorOptions } from '../actors/session-actor.ts';
import { counter, inputErrors, sessionRejections, type FencedKind } from './metrics.ts';
import type { Log } from './log.ts';
import { createFence, withoutLease, type OwnerMarker } from './ownership/fence.ts';
import { createReplayLaps } from './replay-laps.ts';
import type { Lease } from './ownership/leases.ts';
import { serveInputs, type IngestInput } from './ownership/session-input.ts';
import type { PoisonRegistry } from './poison.ts';
import { startCommandResponder } from './race-control/command-responder.ts';
import { startWallClockTicks, TICKING_STATES } from './wall-clock-ticks.ts';
import { loadSessionSnapshot, saveSessionSnapshot, SupersededError, type SessionSnapshot } from './session-snapshot.ts';

/**
 * Runs one session actor: folds the session's events from stream RACE in order, writes the laps it completes back to
 * RACE (message id per car and lap; a replay writes only the laps RACE does not already hold, replay-laps.ts), and publishes the view: coalesced diffs
 * with consecutive `seq` on `view.<track>.<session>` at most every `coalesceMs`, and `{seq, view}` snapshots on
 * request. The snapshot is always the last *published* view, so a client's snapshot + later diffs add up exactly.
 *
 * Recovery: every `snapshotEveryEvents` events (or `snapshotEveryMs` with news) the host saves a snapshot to KV
 * `session-state` — the actor's persisted state, the RACE sequence it includes, the published view and its seq. A new
 * host starts from it and replays RACE from the next sequence; time comes only from events, so the result is
 * byte-identical to an uninterrupted run. Its first seq jumps by RESTART_SEQ_JUMP past the snapshot's, beyond any
 * seq the old host may have published after it, so spectators see a gap and resync with one snapshot instead of
 * applying a diff meant for another view.
 *
 * Ownership (engine/ownership/): a host runs only under its engine's lease on the session. It first appends its
 * ownership marker to RACE, then is the session's one writer: the inputs ingest asks it to write
 * (ownership/session-input.ts) and the laps, each carrying its lease epoch. Folding applies the fence
 * (ownership/fence.ts): a stale owner's events are ignored and counted. Seeing a newer owner's marker, or finding a
 * newer owner's snapshot in KV, the host surrenders its lease and stops folding; the engine then stops it, with no
 * final snapshot. View diffs, snapshot replies and input writes happen only while the lease is valid on this
 * process's clock; that check narrows the window in which a frozen owner could write, the fence closes it.
 */

export const RESTART_SEQ_JUMP = 1000;

export interface SessionRef {
  track: string;
  event: string;
  session: string;
  /** Scoring options of the actor (an RMonitor feed: the program's positions, its own checkered). */
  scoring?: SessionActorOptions;
  /** `wall`: no source gives the session its clock (race control opened it); see OpenSession in ingest.ts. */
  clock?: 'wall';
}

export interface SessionHostDeps {
  nc: NatsConnection;
  registry: Registry;
  log: Log;
  /** KV `session-state`. */
  state: KV;
  /** KV `events`: race-control commands are checked against the event's declaration. */
  events(): Promise<KV>;
  poison: PoisonRegistry;
  /** Passed to the actor (tests inject a faulty reducer). */
  reduce?: SessionActorDeps['reduce'];
  /** Called for each write of a stale owner refused or ignored (metric and health). */
  onFenced(kind: FencedKind): void;
}

/** Under which lease this host runs its session, and this engine's node name (in the ownership marker). */
export interface SessionOwnership {
  lease: Lease;
  node: string;
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

export async function startSessionHost(deps: SessionHostDeps, ref: SessionRef, owner: SessionOwnership, opts: SessionHostOptions = {}): Promise<SessionHost> {
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

  const { lease } = owner;
  const stored = await loadSessionSnapshot(deps.state, ref);
  const restored = stored?.snapshot;
  let snapshotRevision = stored?.revision ?? 0;
  if (restored) deps.log(`session ${key}: restored at RACE seq ${restored.streamSeq}, view seq ${restored.seq}`, { ...fields, streamSeq: restored.streamSeq });
  const fence = createFence(restored?.fence ?? 0);
  const marker: OwnerMarker = { atUs: Date.now() * 1000, lease: lease.epoch, node: owner.node };
  const markerSeq = (await js.publish(subjects.timing(ref.track, ref.session, 'owner'), JSON.stringify(marker))).seq;
  deps.log(`session ${key}: owned by ${owner.node} from RACE seq ${markerSeq} (lease epoch ${lease.epoch})`, { ...fields, streamSeq: markerSeq, epoch: lease.epoch });
  /** A newer owner exists: fold nothing more, write nothing more. */
  let superseded = false;
  const supersede = (reason: string) => {
    if (superseded) return;
    superseded = true;
    deps.log(`session ${key}: ${reason}; this host (epoch ${lease.epoch}) stops`, { ...fields, epoch: lease.epoch, level: 'warn' });
    lease.surrender(reason);
  };
  const writeLap = (lap: LapEvent) => {
    const p = js
      .publish(subjects.timing(ref.track, ref.session, 'lap'), JSON.stringify({ ...lap, lease: lease.epoch }), { msgID: lapMsgId(lap) })
      .catch((err: Error) => fail(new Error(`lap ${lap.car}/${lap.lap} not written: ${err.message}`)))
      .finally(() => pendingLaps.delete(p));
    pendingLaps.add(p);
  };
  /** Laps re-derived while replaying up to this host's marker: written only if RACE turns out not to hold them. */
  const replayLaps = createReplayLaps();
  let caughtUp = false;
  const actor = createSessionActor(
    { track: ref.track, event: ref.event, session: ref.session },
    {
      publishLap(lap: LapEvent) {
        if (caughtUp) writeLap(lap);
        else replayLaps.held(lap);
      },
      reduce: deps.reduce,
    },
    restored?.actor,
    ref.scoring,
  );

  let seq = restored ? restored.seq + RESTART_SEQ_JUMP : 0;
  let last: SessionView | undefined = restored?.view;
  let applied = restored?.streamSeq ?? 0;
  let sinceSnapshot = 0;
  let lastSnapshotAt = Date.now();
  let saving: Promise<void> | undefined;
  let crashed = false;

  const snapshot = (): SessionSnapshot => ({
    version: 1,
    actor: actor.persist(),
    streamSeq: applied,
    seq,
    view: last ?? actor.view(),
    fence: fence.epoch(),
    writer: lease.epoch,
  });
  const saveSnapshot = async () => {
    const s = snapshot();
    sinceSnapshot = 0;
    lastSnapshotAt = Date.now();
    try {
      snapshotRevision = await saveSessionSnapshot(deps.state, ref, s, snapshotRevision);
    } catch (err) {
      if (!(err instanceof SupersededError)) throw err;
      deps.onFenced('snapshot');
      supersede(err.message);
    }
  };
  /** This host's own belief that it owns the session: its lease is valid on its clock and no newer owner was seen. */
  const owns = () => !superseded && lease.valid();

  const viewSubject = subjects.view(ref.track, ref.session);
  const publishDiff = () => {
    if (!owns()) return;
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
  // Not while catching up with RACE: a replay folds thousands of events a second, and a snapshot every 500 of them
  // (the whole state, growing) made a long race's takeover quadratic — minutes of nats-server CPU for a 24-hour race
  // (bench/system/actor-rebuild.ts). The first tick after catching up saves one.
  const due = () =>
    caughtUp &&
    !saving &&
    !crashed &&
    !superseded &&
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
      if (err || !owns()) return;
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
  /**
   * How this host writes an input to RACE: stamped with its lease epoch (the fence), with a message id per epoch, so
   * a retry under this owner is dropped by JetStream while a stale owner's late copy can never shadow this one's.
   * Anything else a host writes for its session must carry `lease` in the same way, or the fence ignores it.
   */
  const writeInput = async (input: IngestInput, msgId: string): Promise<number> =>
    (await js.publish(subjects.timing(ref.track, ref.session, timingKindOf(input.kind)), JSON.stringify({ ...input, lease: lease.epoch }), { msgID: `${msgId}@${lease.epoch}` })).seq;
  const inputs = serveInputs({ nc: deps.nc, ready: () => caughtUp, owner: owns, refused: () => deps.onFenced('input'), write: writeInput }, ref);
  // Race-control commands and their audit records are written like inputs: with this owner's epoch.
  const commands = startCommandResponder({
    nc: deps.nc, log: deps.log, registry: deps.registry, actor, declarations: deps.events,
    ready: () => caughtUp, owner: owns, wallClock: ref.clock === 'wall',
    sessionState: () => actor.view().state,
    appliedStreamSeq: () => applied,
    write: async (kind, payload, msgId) => {
      const ack = await js.publish(subjects.timing(ref.track, ref.session, kind), JSON.stringify({ ...payload, lease: lease.epoch }), { msgID: `${msgId}@${lease.epoch}` });
      return { seq: ack.seq, duplicate: ack.duplicate };
    },
  }, ref);
  // No source ticks a session that race control opened: its owner does, with the wall clock (wall-clock-ticks.ts).
  const ticks = ref.clock === 'wall'
    ? startWallClockTicks({
      ticking: () => caughtUp && owns() && TICKING_STATES.has(actor.view().state),
      write: (input, msgId) => writeInput(input, msgId).catch((err: Error) => deps.log(`session ${key}: clock tick not written: ${err.message}`, { ...fields, level: 'warn' })),
    })
    : undefined;
  let staleLogged = 0;
  /** The fence's verdict on one RACE message; false: not for the actor (a marker, a stale write, our own lap). */
  const admit = (msg: { seq: number; subject: string }, kind: TimingKind | undefined, payload: object): boolean => {
    if (!kind) return false;
    if (kind === 'lap' && !caughtUp) replayLaps.written(payload as LapEvent);
    const verdict = fence.admit(kind, payload);
    if (verdict === 'stale') {
      deps.onFenced('race_event');
      if (staleLogged++ < 10) deps.log(`session ${key}: RACE seq ${msg.seq} (${msg.subject}) was written under lease ${(payload as { lease?: unknown }).lease ?? 0} after the owner of epoch ${fence.epoch()} took over: ignored`, { ...fields, streamSeq: msg.seq, level: 'warn' });
      return false;
    }
    if (verdict === 'marker') {
      if (fence.epoch() > lease.epoch) supersede(`a newer owner (epoch ${fence.epoch()}) took over at RACE seq ${msg.seq}`);
      return false;
    }
    return kind !== 'lap' && kind !== 'audit'; // laps are our own output; audit records are not session inputs
  };
  /** The host has folded RACE up to `seq`; past its own marker it knows all the earlier owner wrote. */
  const advance = (streamSeq: number) => {
    applied = streamSeq;
    if (caughtUp || applied < markerSeq) return;
    caughtUp = true;
    for (const lap of replayLaps.release()) writeLap(lap);
  };
  const loop = (async () => {
    for await (const msg of messages) {
      if (superseded) break;
      const kind = parseTimingSubject(msg.subject)?.kind;
      let payload: unknown;
      try {
        payload = msg.json<unknown>();
        if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
      } catch {
        errors.inc({ kind: 'bad_race_event' });
        deps.log(`session ${key}: undecodable event at RACE seq ${msg.seq}: skipped`, { ...fields, streamSeq: msg.seq, level: 'warn' });
        advance(msg.seq);
        continue;
      }
      const forActor = admit(msg, kind, payload);
      if (superseded) break;
      if (!forActor) {
        advance(msg.seq);
        continue;
      }
      if (deps.poison.isPoison(key, msg.seq)) {
        poisoned.inc();
        deps.log(`session ${key}: RACE seq ${msg.seq} (${msg.subject}) made the actor throw twice: terminated`, { ...fields, streamSeq: msg.seq, level: 'error' });
        advance(msg.seq);
        continue;
      }
      const input = withoutLease(payload) as SessionInput;
      const before = actor.rejected();
      try {
        actor.send(input);
      } catch (err) {
        crashed = true; // no snapshot of a state that threw
        const attempts = deps.poison.failed(key, msg.seq);
        throw new Error(`actor threw at RACE seq ${msg.seq} (attempt ${attempts}): ${(err as Error).message}`, { cause: err });
      }
      advance(msg.seq);
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
      await commands.stop();
      ticks?.stop();
      clearInterval(timer);
      inputs.stop();
      await messages.close();
      await loop.catch(() => undefined);
      snapshots.unsubscribe();
      await Promise.allSettled([...pendingLaps]);
      await saving;
      // A crashed actor's state is suspect: keep the last good snapshot instead. A host that lost its session writes nothing.
      if (!crashed && !superseded && lease.valid()) {
        publishDiff();
        await saveSnapshot().catch((err: Error) => deps.log(`session ${key}: final snapshot not saved: ${err.message}`, { ...fields, level: 'error' }));
      }
      actor.stop();
    },
  };
}

import { decode } from '@msgpack/msgpack';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subjects } from '../actors/contracts/subjects.ts';
import type { SessionView, ViewDiffMessage, ViewSnapshotMessage } from '../actors/contracts/view.ts';
import { applyViewDiff } from '../actors/contracts/view-diff.ts';
import type { SessionRef } from './protocol.ts';

/** What a feed tells its owner; each is called with the feed's state already updated. */
export interface FeedEvents {
  /** A whole view to hand to every client: the first one, or a new one after a gap in the engine's diffs. */
  snapshot(seq: number, view: SessionView): void;
  /** The next diff, `seq` = previous + 1. */
  diff(seq: number, diff: ViewDiffMessage['diff']): void;
  /** No engine answered the first snapshot request: the session is not live. The feed has stopped itself. */
  unavailable(message: string): void;
  /** The engine sent something that is not a view message; counted and skipped. */
  badInput(message: string): void;
  /** A gap in the engine's seq: a new snapshot is being requested. */
  gap(expected: number, got: number): void;
}

export interface SessionFeed {
  /** The materialised view, or undefined while the (first or a re-requested) snapshot is on its way. */
  current(): { seq: number; view: SessionView } | undefined;
  stop(): void;
}

export interface SessionFeedOptions extends SessionRef {
  requestTimeoutMs: number;
  /** Wait before asking again when a re-requested snapshot fails (the view is known, so keep trying). */
  retryMs: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function decodeDiff(data: Uint8Array): ViewDiffMessage | string {
  try {
    const m = decode(data);
    return isRecord(m) && isSeq(m.seq) && isRecord(m.diff) ? (m as unknown as ViewDiffMessage) : 'view diff needs seq and diff';
  } catch (error) {
    return `view diff is not MessagePack: ${(error as Error).message}`;
  }
}

function decodeSnapshot(data: Uint8Array): ViewSnapshotMessage {
  const m = decode(data);
  if (isRecord(m) && isSeq(m.seq) && isRecord(m.view) && Array.isArray(m.view.rows)) return m as unknown as ViewSnapshotMessage;
  throw new Error('snapshot reply needs seq and view');
}

/** At most this many diffs wait for a snapshot; past it they are dropped and the snapshot that follows covers them. */
const MAX_BUFFERED = 1000;

/**
 * One session's materialised view in the gateway: one NATS subscription to `view.<track>.<session>`, the snapshot
 * from `view.snapshot.<track>.<session>`, diffs applied in seq order. Diffs that arrive while a snapshot is on its
 * way are kept and applied on top of it; a gap triggers a new snapshot request.
 */
export function createSessionFeed(deps: { nc: NatsConnection; log: (line: string) => void; events: FeedEvents },
  opts: SessionFeedOptions): SessionFeed {
  const { nc, log, events } = deps;
  const name = `${opts.track}/${opts.session}`;
  let state: { seq: number; view: SessionView } | undefined;
  let loading = false;
  let stopped = false;
  let buffer: ViewDiffMessage[] = [];
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const apply = (m: ViewDiffMessage): boolean => {
    if (!state) return false;
    try {
      state = { seq: m.seq, view: applyViewDiff(state.view, m.diff) };
      return true;
    } catch (error) {
      events.badInput(`${name}: diff ${m.seq} does not apply: ${(error as Error).message}`);
      return false;
    }
  };

  const load = async (): Promise<void> => {
    if (loading || stopped) return;
    loading = true;
    try {
      const reply = await nc.request(subjects.viewSnapshot(opts.track, opts.session), new Uint8Array(0), { timeout: opts.requestTimeoutMs });
      if (stopped) return;
      const snap = decodeSnapshot(reply.data);
      let next = { seq: snap.seq, view: snap.view };
      const pending = buffer.filter((m) => m.seq > next.seq).sort((a, b) => a.seq - b.seq);
      buffer = [];
      for (const m of pending) {
        if (m.seq !== next.seq + 1) throw new Error(`diff ${m.seq} does not follow snapshot ${next.seq}`);
        next = { seq: m.seq, view: applyViewDiff(next.view, m.diff) };
      }
      state = next;
      loading = false;
      events.snapshot(state.seq, state.view);
    } catch (error) {
      loading = false;
      if (stopped) return;
      const message = (error as Error).message;
      if (!state) {
        stop();
        events.unavailable(`no snapshot for ${name}: ${message}`);
        return;
      }
      log(`gateway: snapshot for ${name} failed (${message}), asking again in ${opts.retryMs} ms`);
      loading = true; // keep buffering until the retry
      retryTimer = setTimeout(() => {
        loading = false;
        void load();
      }, opts.retryMs);
    }
  };

  const onDiff = (data: Uint8Array) => {
    const m = decodeDiff(data);
    if (typeof m === 'string') return events.badInput(`${name}: ${m}`);
    if (loading || !state) {
      buffer.push(m);
      if (buffer.length > MAX_BUFFERED) buffer = buffer.slice(-MAX_BUFFERED);
      return;
    }
    if (m.seq <= state.seq) return; // older than the snapshot, already in it
    if (m.seq !== state.seq + 1) {
      events.gap(state.seq + 1, m.seq);
      buffer.push(m);
      void load();
      return;
    }
    if (apply(m)) events.diff(m.seq, m.diff);
    else void load();
  };

  const sub: Subscription = nc.subscribe(subjects.view(opts.track, opts.session), {
    callback: (err, msg) => {
      if (err) return log(`gateway: subscription ${name}: ${err.message}`);
      if (!stopped) onDiff(msg.data);
    },
  });

  function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(retryTimer);
    sub.unsubscribe();
  }

  void load();
  return { current: () => (loading ? undefined : state), stop };
}

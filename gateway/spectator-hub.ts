import type { NatsConnection } from '@nats-io/transport-node';
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { SessionView } from '../actors/contracts/view.ts';
import type { GatewayMetrics } from './metrics.ts';
import {
  decodeClientFrame, encodeFrame, PROTOCOL_VERSION, sessionKey, type ErrorCode, type SessionRef,
} from './protocol.ts';
import { createSessionFeed, type SessionFeed } from './session-feed.ts';

/** Per WebSocket: the sessions it follows (keys are also its uWS topics) and snapshots it still owes. */
export interface SpectatorData {
  sessions: Set<string>;
  /** Sessions whose snapshot was dropped by backpressure: sent again on drain. */
  owedSnapshots: Set<string>;
}
export type SpectatorSocket = WebSocket<SpectatorData>;

export interface SpectatorHub {
  open(ws: SpectatorSocket): void;
  message(ws: SpectatorSocket, data: ArrayBuffer, isBinary: boolean): void;
  drain(ws: SpectatorSocket): void;
  close(ws: SpectatorSocket): void;
  /** The materialised view of a session that spectators follow (undefined otherwise, or while it loads). */
  current(ref: SessionRef): { seq: number; view: SessionView } | undefined;
  /** Stops every feed and closes every socket. */
  stop(): void;
}

interface Feed {
  ref: SessionRef;
  feed: SessionFeed;
  sockets: Set<SpectatorSocket>;
  /** The current snapshot frame, encoded once for every late joiner at this seq. */
  snapshotFrame?: { seq: number; bytes: Uint8Array };
  /** When the engine last sent this session a diff or a snapshot (ms since the epoch). */
  updatedAt?: number;
}

export interface SpectatorHubOptions {
  snapshotTimeoutMs: number;
  snapshotRetryMs: number;
}

/**
 * Spectators' subscriptions: one session feed (one NATS subscription, one materialised view) per followed session,
 * shared by all its sockets; every frame is encoded once and published to the session's uWS topic. uWS skips a
 * socket over maxBackpressure on publish; that client sees a seq gap and asks for a resync (DESIGN §6).
 */
export function createSpectatorHub(deps: { nc: NatsConnection; app: TemplatedApp; metrics: GatewayMetrics; log: (line: string) => void },
  opts: SpectatorHubOptions): SpectatorHub {
  const { nc, app, metrics, log } = deps;
  const feeds = new Map<string, Feed>();
  const sockets = new Set<SpectatorSocket>();
  const hello = encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION });
  metrics.viewAges(() => [...feeds.values()].flatMap((f) =>
    f.updatedAt === undefined ? [] : [{ ...f.ref, ageMs: Date.now() - f.updatedAt }]));

  /** One frame to one socket; false when backpressure dropped it. */
  const sendTo = (ws: SpectatorSocket, bytes: Uint8Array): boolean => {
    const status = ws.send(bytes, true);
    if (status === 2) {
      metrics.frameDropped(); // over maxBackpressure
      return false;
    }
    metrics.framesSent(1, bytes.byteLength); // 1 sent, 0 queued and will drain
    return true;
  };

  const publish = (key: string, bytes: Uint8Array) => {
    const receivers = app.numSubscribers(key);
    app.publish(key, bytes, true);
    metrics.framesSent(receivers, bytes.byteLength);
  };

  const refuse = (ws: SpectatorSocket, code: ErrorCode, message: string, ref?: SessionRef) => {
    metrics.inputError(code);
    sendTo(ws, encodeFrame({ type: 'error', code, message, ...ref }));
  };

  const snapshotBytes = (entry: Feed, seq: number, view: SessionView): Uint8Array => {
    if (entry.snapshotFrame?.seq !== seq) {
      entry.snapshotFrame = { seq, bytes: encodeFrame({ type: 'snapshot', ...entry.ref, seq, view }) };
    }
    return entry.snapshotFrame.bytes;
  };

  /** Sends the current snapshot to one socket, if the feed has one; otherwise one is published when it arrives. */
  const sendSnapshot = (ws: SpectatorSocket, key: string, entry: Feed) => {
    const current = entry.feed.current();
    if (!current) return;
    if (sendTo(ws, snapshotBytes(entry, current.seq, current.view))) ws.getUserData().owedSnapshots.delete(key);
    else ws.getUserData().owedSnapshots.add(key);
  };

  const leave = (ws: SpectatorSocket, key: string, closing: boolean) => {
    const data = ws.getUserData();
    data.sessions.delete(key);
    data.owedSnapshots.delete(key);
    if (!closing) ws.unsubscribe(key);
    const entry = feeds.get(key);
    if (!entry) return;
    entry.sockets.delete(ws);
    if (entry.sockets.size === 0) {
      entry.feed.stop();
      feeds.delete(key);
      metrics.liveFeeds(feeds.size);
    }
  };

  const startFeed = (key: string, ref: SessionRef): Feed => {
    const entry: Feed = { ref, sockets: new Set(), feed: undefined as unknown as SessionFeed };
    entry.feed = createSessionFeed({
      nc,
      log,
      events: {
        snapshot: (seq, view) => {
          entry.updatedAt = Date.now();
          publish(key, snapshotBytes(entry, seq, view));
        },
        diff: (seq, diff) => {
          entry.updatedAt = Date.now();
          publish(key, encodeFrame({ type: 'diff', ...ref, seq, diff }));
        },
        gap: (expected, got) => {
          metrics.resync();
          log(`gateway: ${key}: expected diff ${expected}, got ${got}: asking for a new snapshot`);
        },
        badInput: (message) => {
          metrics.inputError('bad_view_message');
          log(`gateway: ${message}`);
        },
        unavailable: (message) => {
          feeds.delete(key);
          metrics.liveFeeds(feeds.size);
          for (const ws of entry.sockets) {
            leave(ws, key, false);
            ws.cork(() => refuse(ws, 'unknown_session', `${ref.track}/${ref.session} is not a live session (${message})`, ref));
          }
        },
      },
    }, { ...ref, requestTimeoutMs: opts.snapshotTimeoutMs, retryMs: opts.snapshotRetryMs });
    feeds.set(key, entry);
    metrics.liveFeeds(feeds.size);
    return entry;
  };

  const subscribe = (ws: SpectatorSocket, ref: SessionRef) => {
    const key = sessionKey(ref);
    const data = ws.getUserData();
    const entry = feeds.get(key) ?? startFeed(key, ref);
    if (!data.sessions.has(key)) {
      data.sessions.add(key);
      entry.sockets.add(ws);
    }
    // Snapshot first, then the topic: both happen in this callback, so no diff can come between them.
    sendSnapshot(ws, key, entry);
    ws.subscribe(key);
  };

  return {
    open(ws) {
      sockets.add(ws);
      metrics.connectionOpened();
      sendTo(ws, hello);
    },
    message(ws, data, isBinary) {
      if (!isBinary) return refuse(ws, 'undecodable_frame', 'frames are binary MessagePack, not text');
      const decoded = decodeClientFrame(new Uint8Array(data));
      if (!decoded.ok) return refuse(ws, decoded.code, decoded.message);
      const { type, track, session } = decoded.frame;
      const key = sessionKey({ track, session });
      switch (type) {
        case 'subscribe':
          return subscribe(ws, { track, session });
        case 'unsubscribe':
          if (ws.getUserData().sessions.has(key)) leave(ws, key, false);
          return;
        case 'resync': {
          const entry = feeds.get(key);
          if (!entry || !ws.getUserData().sessions.has(key)) {
            return refuse(ws, 'bad_message', `resync ${key}: not subscribed`, { track, session });
          }
          metrics.resync();
          return sendSnapshot(ws, key, entry);
        }
      }
    },
    drain(ws) {
      const data = ws.getUserData();
      for (const key of data.owedSnapshots) {
        const entry = feeds.get(key);
        if (entry) sendSnapshot(ws, key, entry);
        else data.owedSnapshots.delete(key);
      }
    },
    close(ws) {
      sockets.delete(ws);
      metrics.connectionClosed();
      for (const key of [...ws.getUserData().sessions]) leave(ws, key, true);
    },
    current: (ref) => feeds.get(sessionKey(ref))?.feed.current(),
    stop() {
      for (const ws of [...sockets]) ws.close(); // calls close() above for each
      for (const entry of feeds.values()) entry.feed.stop();
      feeds.clear();
      metrics.liveFeeds(0);
    },
  };
}

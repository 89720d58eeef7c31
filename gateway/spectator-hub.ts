import type { NatsConnection } from '@nats-io/transport-node';
import type { WebSocket } from 'uWebSockets.js';
import type { SessionView } from '../actors/contracts/view.ts';
import { TokenRejectedError, type TokenVerifier } from './auth/index.ts';
import { createConnectionAuth, type ConnectionAuth } from './auth/connection.ts';
import type { PrivateEventLookup } from './auth/private-events.ts';
import { viewRefusal } from './auth/view-access.ts';
import type { GatewayMetrics } from './metrics.ts';
import {
  decodeClientFrame, encodeFrame, PROTOCOL_VERSION, sessionKey, type ClientFrame, type CommandFrame, type CommandReplyFrame, type ErrorCode,
  type PositionFrame, type SessionRef,
} from './protocol.ts';
import { createFanOut } from './fan-out.ts';
import type { RiderPositions } from './gps/rider-positions.ts';
import type { LivePositions } from './positions/live-positions.ts';
import type { CommandSender } from './race-control/send-command.ts';
import { createSessionFeed, type SessionFeed } from './session-feed.ts';
import { createSlowSpectators } from './slow-spectators.ts';

/** Per WebSocket: the sessions it follows. */
export interface SpectatorData {
  sessions: Set<string>;
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
  /** Who gets this session's frames (slow sockets among them are skipped until they drain). */
  sockets: Set<SpectatorSocket>;
  /** The current snapshot frame, encoded once for every late joiner at this seq. */
  snapshotFrame?: { seq: number; bytes: Uint8Array };
  /** When the engine last sent this session a diff or a snapshot (ms since the epoch). */
  updatedAt?: number;
}

export interface SpectatorHubOptions {
  snapshotTimeoutMs: number;
  snapshotRetryMs: number;
  /** Bytes queued for one socket above which it leaves fan-out until it drains (slow-spectators.ts). */
  maxBackpressure: number;
  /** How long a socket may stay out of fan-out before it is disconnected. */
  slowSpectatorTimeoutMs: number;
}

/**
 * Spectators' subscriptions: one session feed (one NATS subscription, one materialised view) per followed session,
 * shared by all its sockets; every frame is encoded once and written to each following socket (fan-out.ts). A
 * socket over the backpressure limit leaves fan-out and is resynced with a snapshot when it drains, or disconnected
 * after a bound (slow-spectators.ts).
 */
export interface SpectatorHubDeps {
  nc: NatsConnection;
  metrics: GatewayMetrics;
  log: (line: string) => void;
  /** Which private events govern a session (KV `events`). */
  privateEvents: PrivateEventLookup;
  /** Checks `auth` frames' tokens; without it `auth` is refused and private sessions cannot be followed. */
  verifier?: TokenVerifier;
  /** Sends `command` frames to the engines (race control). */
  sendCommand: CommandSender;
  /** Stores riders' `position` frames (issue 15); without it they are refused as `unavailable`. */
  riderPositions?: RiderPositions;
  /** Riders' positions (the live map): a session's `positions` frames go to its followers, a full one after each snapshot. */
  positions?: LivePositions;
}

/** Why no private session can be followed here. */
const NO_IDP = 'this gateway has no identity provider configured';

export function createSpectatorHub(deps: SpectatorHubDeps, opts: SpectatorHubOptions): SpectatorHub {
  const { nc, metrics, log, verifier } = deps;
  const feeds = new Map<string, Feed>();
  const sockets = new Set<SpectatorSocket>();
  /** Per open socket: its login and private subscriptions (the socket's user data is what the upgrade made). */
  const auths = new Map<SpectatorSocket, ConnectionAuth>();
  const hello = encodeFrame({ type: 'hello', protocol: PROTOCOL_VERSION });
  metrics.viewAges(() => [...feeds.values()].flatMap((f) =>
    f.updatedAt === undefined ? [] : [{ ...f.ref, ageMs: Date.now() - f.updatedAt }]));

  const slow = createSlowSpectators<SpectatorSocket>({ metrics, log },
    { maxBackpressure: opts.maxBackpressure, timeoutMs: opts.slowSpectatorTimeoutMs });

  /** One frame to one socket; false when uWS dropped it (the socket was already over the limit). */
  const sendTo = (ws: SpectatorSocket, bytes: Uint8Array): boolean => {
    if (!slow.sent(ws, ws.send(bytes, true))) {
      metrics.framesDropped(1);
      return false;
    }
    metrics.framesSent(1, bytes.byteLength);
    return true;
  };

  const fanOut = createFanOut<SpectatorSocket>({ metrics, slow });

  const refuse = (ws: SpectatorSocket, code: ErrorCode, message: string, ref?: SessionRef, frameRef?: string) => {
    metrics.inputError(code);
    sendTo(ws, encodeFrame({ type: 'error', code, message, ...ref, ...(frameRef !== undefined && { ref: frameRef }) }));
  };

  const snapshotBytes = (entry: Feed, seq: number, view: SessionView): Uint8Array => {
    if (entry.snapshotFrame?.seq !== seq) {
      entry.snapshotFrame = { seq, bytes: encodeFrame({ type: 'snapshot', ...entry.ref, seq, view }) };
    }
    return entry.snapshotFrame.bytes;
  };

  /**
   * Sends the current snapshot to one socket, if the feed has one (otherwise it goes to every socket when it
   * arrives), then the session's riders' positions. A slow socket gets it when it drains. Frames still queued for the session go out first: the
   * snapshot contains them, and none may reach the socket after it.
   */
  const sendSnapshot = (ws: SpectatorSocket, entry: Feed) => {
    fanOut.flush(entry.sockets);
    const current = entry.feed.current();
    if (!current || slow.isSlow(ws) || !sendTo(ws, snapshotBytes(entry, current.seq, current.view))) return;
    const positions = deps.positions?.fullFrame(entry.ref);
    if (positions) sendTo(ws, positions);
  };

  // Positions go to a session's followers once it has a snapshot (before that, the snapshot brings the full frame).
  deps.positions?.listen((ref, bytes) => {
    const entry = feeds.get(sessionKey(ref));
    if (entry?.feed.current()) fanOut.queue(entry.sockets, bytes);
  });

  const leave = (ws: SpectatorSocket, key: string) => {
    auths.get(ws)?.privateSessions.delete(key);
    ws.getUserData().sessions.delete(key);
    const entry = feeds.get(key);
    if (!entry) return;
    entry.sockets.delete(ws);
    if (entry.sockets.size === 0) {
      fanOut.drop(entry.sockets);
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
          fanOut.queue(entry.sockets, snapshotBytes(entry, seq, view));
          const positions = deps.positions?.fullFrame(ref);
          if (positions) fanOut.queue(entry.sockets, positions);
        },
        diff: (seq, diff) => {
          entry.updatedAt = Date.now();
          fanOut.queue(entry.sockets, encodeFrame({ type: 'diff', ...ref, seq, diff }));
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
          fanOut.drop(entry.sockets);
          feeds.delete(key);
          metrics.liveFeeds(feeds.size);
          for (const ws of entry.sockets) {
            leave(ws, key);
            ws.cork(() => refuse(ws, 'unknown_session', `${ref.track}/${ref.session} is not a live session (${message})`, ref));
          }
        },
      },
    }, { ...ref, requestTimeoutMs: opts.snapshotTimeoutMs, retryMs: opts.snapshotRetryMs });
    feeds.set(key, entry);
    metrics.liveFeeds(feeds.size);
    return entry;
  };

  const join = (ws: SpectatorSocket, ref: SessionRef) => {
    const key = sessionKey(ref);
    const data = ws.getUserData();
    const entry = feeds.get(key) ?? startFeed(key, ref);
    // Snapshot, then fan-out, in this one callback: every later diff follows the snapshot, none comes before it.
    data.sessions.add(key);
    sendSnapshot(ws, entry);
    entry.sockets.add(ws);
  };

  /** Ends a subscription the connection may no longer hold, with an error frame saying why. */
  const evict = (ws: SpectatorSocket, ref: SessionRef, code: ErrorCode, message: string) => {
    leave(ws, sessionKey(ref));
    if (code === 'auth_expired') sendTo(ws, encodeFrame({ type: 'error', code, message, ...ref })); // not bad input
    else refuse(ws, code, message, ref);
  };

  /** Follows a session once it is known to be public or this connection may see its private event. */
  const subscribe = async (ws: SpectatorSocket, conn: ConnectionAuth, ref: SessionRef) => {
    const key = sessionKey(ref);
    let events;
    try {
      events = await deps.privateEvents(ref);
    } catch (error) {
      return conn.corked(() => refuse(ws, 'forbidden', `cannot tell whether ${key} is private (${(error as Error).message}): refused`, ref));
    }
    const refusal = viewRefusal({ claims: conn.claims(), verifier: verifier !== undefined }, events, ref.session);
    conn.corked(() => {
      if (refusal) {
        if (ws.getUserData().sessions.has(key)) leave(ws, key);
        return refuse(ws, 'forbidden', refusal, ref);
      }
      if (events.length > 0) conn.privateSessions.set(key, { ref, events });
      else conn.privateSessions.delete(key);
      join(ws, ref);
    });
  };

  const authenticate = async (ws: SpectatorSocket, conn: ConnectionAuth, token: string) => {
    if (!verifier) return conn.corked(() => refuse(ws, 'auth_failed', NO_IDP));
    let verified;
    try {
      verified = await verifier.verifyWithExpiry(token);
    } catch (error) {
      const message = error instanceof TokenRejectedError ? `${error.reason}: ${error.message}` : `the token could not be checked: ${(error as Error).message}`;
      return conn.corked(() => refuse(ws, 'auth_failed', message));
    }
    conn.corked(() => {
      conn.login(verified.claims, verified.expiresAt);
      const { sub, org, roles, entry } = verified.claims;
      sendTo(ws, encodeFrame({ type: 'auth', ok: true, sub, org, roles, expiresAt: verified.expiresAt, ...(entry && { entry }) }));
      // The new claims replace the old: private subscriptions they do not cover end now.
      for (const { ref, events } of [...conn.privateSessions.values()]) {
        const refusal = viewRefusal({ claims: verified.claims, verifier: true }, events, ref.session);
        if (refusal) evict(ws, ref, 'forbidden', refusal);
      }
    });
  };

  /** The token passed its `exp`: the login is gone and so are the private subscriptions. */
  const expired = (ws: SpectatorSocket, conn: ConnectionAuth) => {
    const ended = [...conn.privateSessions.values()];
    const message = 'the access token expired: send a new auth frame (before expiry next time) and subscribe again';
    if (ended.length === 0) return void sendTo(ws, encodeFrame({ type: 'error', code: 'auth_expired', message }));
    for (const { ref } of ended) evict(ws, ref, 'auth_expired', `${sessionKey(ref)}: ${message}`);
  };

  /** A race-control command of a logged-in connection, answered with the engine's decision. */
  const command = async (ws: SpectatorSocket, conn: ConnectionAuth, frame: CommandFrame) => {
    const { track, session, verb, ref } = frame;
    const answer = (reply: Omit<CommandReplyFrame, 'type' | 'track' | 'session' | 'verb' | 'ref'>) =>
      conn.corked(() => sendTo(ws, encodeFrame({ type: 'command', track, session, verb, ...(ref !== undefined && { ref }), ...reply })));
    const claims = conn.claims();
    if (!claims) return answer({ outcome: 'unavailable', code: 'auth_required', reason: 'send an auth frame with an access token first' });
    const sent = await deps.sendCommand({ track, session }, { verb, args: frame.args ?? {}, ...(frame.why !== undefined && { why: frame.why }) }, claims, 'ws');
    if (!sent.ok) return answer({ outcome: 'unavailable', code: sent.code, reason: sent.message });
    const { reply } = sent;
    answer(reply.outcome === 'accepted'
      ? { id: reply.id, outcome: 'accepted', streamSeq: reply.streamSeq }
      : { id: reply.id, outcome: 'refused', code: reply.code, reason: reply.reason });
  };

  /** A rider's position: stored in EDGE and acknowledged, or refused with an error frame carrying its `ref`. */
  const position = async (ws: SpectatorSocket, conn: ConnectionAuth, frame: PositionFrame) => {
    const { ref } = frame;
    const refuseFix = (code: ErrorCode, message: string) =>
      conn.corked(() => refuse(ws, code, message, undefined, ref));
    const claims = conn.claims();
    if (!claims) return refuseFix('auth_required', 'send an auth frame with the rider\'s competitor token first');
    if (!deps.riderPositions) return refuseFix('unavailable', 'this gateway takes no positions');
    const outcome = await deps.riderPositions.accept({
      claims, entry: { event: frame.event, number: frame.number }, via: 'ws',
      position: { atMs: frame.atMs, lat: frame.lat, lon: frame.lon,
        ...(frame.speed !== undefined && { speedMps: frame.speed }), ...(frame.accuracy !== undefined && { accuracyM: frame.accuracy }) },
    });
    if (!outcome.ok) return refuseFix(outcome.code, outcome.message);
    metrics.gpsFix('ws');
    conn.corked(() => sendTo(ws, encodeFrame({ type: 'position', ...(ref !== undefined && { ref }), ok: true })));
  };

  /** A valid frame, in the connection's order (subscribe, auth and command wait on a lookup, a token check or an engine). */
  const handle = async (ws: SpectatorSocket, conn: ConnectionAuth, frame: ClientFrame) => {
    if (frame.type === 'auth') return authenticate(ws, conn, frame.token);
    if (frame.type === 'command') return command(ws, conn, frame);
    if (frame.type === 'position') return position(ws, conn, frame);
    const { type, track, session } = frame;
    const key = sessionKey({ track, session });
    if (type === 'subscribe') return subscribe(ws, conn, { track, session });
    conn.corked(() => {
      if (type === 'unsubscribe') {
        if (ws.getUserData().sessions.has(key)) leave(ws, key);
        return;
      }
      const entry = feeds.get(key);
      if (!entry || !ws.getUserData().sessions.has(key)) {
        return refuse(ws, 'bad_message', `resync ${key}: not subscribed`, { track, session });
      }
      metrics.resync();
      sendSnapshot(ws, entry);
    });
  };

  return {
    open(ws) {
      sockets.add(ws);
      auths.set(ws, createConnectionAuth(ws, { expired: (conn) => expired(ws, conn), log }));
      metrics.connectionOpened();
      sendTo(ws, hello);
    },
    message(ws, data, isBinary) {
      if (!isBinary) return refuse(ws, 'undecodable_frame', 'frames are binary MessagePack, not text');
      const decoded = decodeClientFrame(new Uint8Array(data));
      if (!decoded.ok) return refuse(ws, decoded.code, decoded.message);
      const conn = auths.get(ws);
      if (conn) conn.enqueue(() => handle(ws, conn, decoded.frame));
    },
    drain(ws) {
      if (!slow.canResume(ws)) return;
      const followed = [...ws.getUserData().sessions].flatMap((key) => feeds.get(key) ?? []);
      for (const entry of followed) fanOut.flush(entry.sockets); // it is still skipped: nothing older reaches it
      slow.resume(ws);
      ws.cork(() => {
        for (const entry of followed) sendSnapshot(ws, entry); // back over the limit: the rest follow on the next drain
      });
    },
    close(ws) {
      sockets.delete(ws);
      auths.get(ws)?.close();
      auths.delete(ws);
      metrics.connectionClosed();
      slow.forget(ws);
      for (const key of [...ws.getUserData().sessions]) leave(ws, key);
    },
    current: (ref) => feeds.get(sessionKey(ref))?.feed.current(),
    stop() {
      for (const ws of [...sockets]) ws.close(); // calls close() above for each
      for (const entry of feeds.values()) entry.feed.stop();
      feeds.clear();
      fanOut.stop();
      slow.stop();
      metrics.liveFeeds(0);
    },
  };
}

import type { SessionView } from '../../actors/contracts/view.ts';
import { applyViewDiff } from '../../actors/contracts/view-diff.ts';
import { CLIENT_TRAIL, extendTrail } from '../positions/trail.ts';
import {
  decodeServerFrame, encodeFrame, PROTOCOL_VERSION, sessionKey, type ClientFrame, type CommandReplyFrame, type DiffFrame, type PositionFrame,
  type PositionsFrame, type RiderPosition, type SessionRef, type SnapshotFrame, type TrailPoint,
} from '../protocol.ts';

/** What the client needs of a WebSocket: the browser's, or the `ws` package's in Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A rider on the live map as the client knows it: its latest fix, its trail (oldest first), and when it was heard. */
export interface TrackedRider extends Omit<RiderPosition, 'trail' | 'ageMs'> {
  trail: TrailPoint[];
  /** When the gateway received its latest fix, by this client's clock (ms since the epoch): `Date.now() - ageMs`. */
  heardAtMs: number;
}

export type TimingClientStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  /** Lost the connection; a new attempt follows in `retryInMs` (absent after close()). */
  | { kind: 'closed'; retryInMs?: number }
  /** A seq gap: the client asked for a new snapshot. */
  | { kind: 'resync'; track: string; session: string; expected: number; got: number }
  /** An error frame from the gateway, or a frame this client could not read. */
  | { kind: 'error'; code: string; message: string; track?: string; session?: string };

export interface TimingClientOptions {
  /** The gateway's WebSocket, e.g. `ws://127.0.0.1:8080/ws`. */
  url: string;
  /** The WebSocket constructor; defaults to the global one (browsers; Node 20 has none: pass the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** Called after every snapshot or diff applied, with the session's new view. */
  onView?(track: string, session: string, view: SessionView, seq: number): void;
  /** Called after every `positions` frame, with every rider of the session (GPS tracking: the live map). */
  onPositions?(track: string, session: string, riders: ReadonlyMap<string, TrackedRider>): void;
  onStatus?(status: TimingClientStatus): void;
  /** The gateway accepted the token of auth(): who this connection is, until `expiresAt` (seconds since the epoch). */
  onAuth?(login: { sub: string; org: string; roles: string[]; expiresAt: number; entry?: { event: string; number: string } }): void;
  /** Reconnect backoff: doubles from `initialMs` up to `maxMs`, with jitter. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface TimingClient {
  /**
   * Logs in with an access token (for private events): sent now, and first on every reconnect. Call it again with
   * a fresh token before the old one expires; the gateway answers with `onAuth` or an `auth_failed` error status.
   */
  auth(token: string): void;
  subscribe(track: string, session: string): void;
  unsubscribe(track: string, session: string): void;
  /**
   * A race-control command (docs/race-control.md), after auth(): resolves with the gateway's `command` reply
   * (`accepted`, `refused` with code and reason, or `unavailable`). Rejects when the connection is not open, or closes
   * before the reply (the command may have been decided: the session's audit says).
   */
  command(track: string, session: string, verb: string, args?: Record<string, unknown>, why?: string): Promise<CommandReplyFrame>;
  /**
   * A rider's position (issue 15), after auth() with the entry's competitor token: resolves once the gateway stored
   * it; rejects with a PositionRefusedError (the gateway's code and message) or when the connection is not open or
   * closes before the answer (send it again: a re-sent fix is stored once).
   */
  position(fix: Omit<PositionFrame, 'type' | 'ref'>): Promise<void>;
  /** The session's view as of seq(), or undefined before its first snapshot. */
  view(track: string, session: string): SessionView | undefined;
  seq(track: string, session: string): number | undefined;
  /** The session's riders by number (empty until a rider sends a fix; undefined for a session not followed). */
  positions(track: string, session: string): ReadonlyMap<string, TrackedRider> | undefined;
  close(): void;
}

/** The gateway refused a position: `code` is the protocol's error code (forbidden, bad_position, …). */
export class PositionRefusedError extends Error {
  override name = 'PositionRefusedError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Followed {
  ref: SessionRef;
  seq?: number;
  view?: SessionView;
  /** A resync was asked for and its snapshot has not come yet. */
  resyncing: boolean;
  riders: Map<string, TrackedRider>;
}

const OPEN = 1;
const SLUG = /^[a-z0-9-]+$/;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * A spectator client for browsers and Node: follows sessions over the gateway's `/ws`, keeps each view current
 * (snapshot, then diffs applied in seq order), asks for a resync on a gap, reconnects with backoff and resubscribes.
 */
export function createTimingClient(opts: TimingClientOptions): TimingClient {
  const Ctor = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new Error('no WebSocket constructor: pass one as the WebSocket option (in Node: the ws package)');
  const backoff = opts.backoff ?? { initialMs: 250, maxMs: 10_000 };
  const followed = new Map<string, Followed>();
  let socket: WebSocketLike | undefined;
  let token: string | undefined;
  let attempt = 0;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Commands waiting for their reply, by `ref`. */
  const pending = new Map<string, { resolve(reply: CommandReplyFrame): void; reject(error: Error): void }>();
  let commands = 0;
  /** Positions waiting for their answer, by `ref`. */
  const positions = new Map<string, { resolve(): void; reject(error: Error): void }>();
  let fixes = 0;
  const failPending = (why: string) => {
    for (const waiting of [...pending.values(), ...positions.values()]) waiting.reject(new Error(why));
    pending.clear();
    positions.clear();
  };

  const status = (s: TimingClientStatus) => opts.onStatus?.(s);
  const send = (frame: ClientFrame) => {
    if (socket?.readyState === OPEN) socket.send(encodeFrame(frame));
  };

  const onSnapshot = (f: SnapshotFrame) => {
    const entry = followed.get(sessionKey(f));
    if (!entry) return;
    Object.assign(entry, { seq: f.seq, view: f.view, resyncing: false });
    opts.onView?.(f.track, f.session, f.view, f.seq);
  };

  const resync = (entry: Followed, expected: number, got: number) => {
    if (entry.resyncing) return;
    entry.resyncing = true;
    status({ kind: 'resync', ...entry.ref, expected, got });
    send({ type: 'resync', ...entry.ref });
  };

  const onDiff = (f: DiffFrame) => {
    const entry = followed.get(sessionKey(f));
    if (!entry?.view || entry.seq === undefined || f.seq <= entry.seq) return; // no snapshot yet, or already in it
    if (f.seq !== entry.seq + 1) return resync(entry, entry.seq + 1, f.seq);
    try {
      entry.view = applyViewDiff(entry.view, f.diff);
    } catch {
      return resync(entry, f.seq, f.seq);
    }
    entry.seq = f.seq;
    opts.onView?.(f.track, f.session, entry.view, f.seq);
  };

  /** A full frame replaces the riders; another moves those it names (a fix not newer than the one known is ignored). */
  const onPositions = (f: PositionsFrame) => {
    const entry = followed.get(sessionKey(f));
    if (!entry) return;
    const now = Date.now();
    if (f.full) entry.riders = new Map();
    for (const { trail, ageMs, ...fix } of f.riders) {
      const known = entry.riders.get(fix.number);
      if (known && fix.atUs <= known.atUs) continue;
      const next = known?.trail ?? [...(trail ?? [])];
      if (known) extendTrail(next, [known.atUs, known.lat, known.lon], fix.atUs, CLIENT_TRAIL);
      entry.riders.set(fix.number, { ...fix, trail: next, heardAtMs: now - ageMs });
    }
    opts.onPositions?.(f.track, f.session, entry.riders);
  };

  const onMessage = (data: unknown) => {
    const bytes = toBytes(data);
    if (!bytes) return status({ kind: 'error', code: 'undecodable_frame', message: 'expected a binary frame' });
    const decoded = decodeServerFrame(bytes);
    if (!decoded.ok) return status({ kind: 'error', code: decoded.code, message: decoded.message });
    const f = decoded.frame;
    switch (f.type) {
      case 'hello':
        if (f.protocol !== PROTOCOL_VERSION) {
          status({ kind: 'error', code: 'protocol', message: `gateway speaks protocol ${f.protocol}, this client ${PROTOCOL_VERSION}` });
        }
        return;
      case 'snapshot':
        return onSnapshot(f);
      case 'diff':
        return onDiff(f);
      case 'positions':
        return onPositions(f);
      case 'auth':
        return opts.onAuth?.({ sub: f.sub, org: f.org, roles: f.roles, expiresAt: f.expiresAt, ...(f.entry && { entry: f.entry }) });
      case 'position': {
        const waiting = f.ref === undefined ? undefined : positions.get(f.ref);
        positions.delete(f.ref ?? '');
        return waiting?.resolve();
      }
      case 'command': {
        const waiting = f.ref === undefined ? undefined : pending.get(f.ref);
        if (waiting) {
          pending.delete(f.ref!);
          waiting.resolve(f);
        }
        return;
      }
      case 'error': {
        const refused = f.ref === undefined ? undefined : positions.get(f.ref);
        if (refused) {
          positions.delete(f.ref!);
          refused.reject(new PositionRefusedError(f.code, f.message));
        }
        return status({ kind: 'error', code: f.code, message: f.message, track: f.track, session: f.session });
      }
    }
  };

  const connect = () => {
    retryTimer = undefined;
    attempt += 1;
    status({ kind: 'connecting', attempt });
    const ws = new Ctor(opts.url);
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      attempt = 0;
      status({ kind: 'open' });
      if (token !== undefined) send({ type: 'auth', token }); // before the subscriptions it may be needed for
      for (const entry of followed.values()) {
        entry.resyncing = false;
        entry.riders = new Map(); // the gateway sends them again after the snapshot
        send({ type: 'subscribe', ...entry.ref });
      }
    };
    ws.onmessage = ((event: { data: unknown }) => onMessage(event.data)) as (event: never) => void;
    ws.onerror = () => undefined; // onclose follows and reconnects
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      failPending('the connection closed before the reply: see the session\'s audit');
      if (closed) return status({ kind: 'closed' });
      const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 16));
      const retryInMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      status({ kind: 'closed', retryInMs });
      retryTimer = setTimeout(connect, retryInMs);
    };
  };

  const refOf = (track: string, session: string): SessionRef => {
    if (!SLUG.test(track) || !SLUG.test(session)) throw new Error(`track and session are slugs [a-z0-9-]+, got ${track}/${session}`);
    return { track, session };
  };

  connect();
  return {
    auth(next) {
      token = next;
      send({ type: 'auth', token: next });
    },
    subscribe(track, session) {
      const ref = refOf(track, session);
      const key = sessionKey(ref);
      if (followed.has(key)) return;
      followed.set(key, { ref, resyncing: false, riders: new Map() });
      send({ type: 'subscribe', ...ref });
    },
    unsubscribe(track, session) {
      const ref = refOf(track, session);
      if (followed.delete(sessionKey(ref))) send({ type: 'unsubscribe', ...ref });
    },
    command(track, session, verb, args, why) {
      const ref = refOf(track, session);
      if (socket?.readyState !== OPEN) return Promise.reject(new Error('not connected: the command was not sent'));
      const tag = `c${++commands}`;
      const reply = new Promise<CommandReplyFrame>((resolve, reject) => pending.set(tag, { resolve, reject }));
      send({ type: 'command', ...ref, ref: tag, verb, ...(args && { args }), ...(why !== undefined && { why }) });
      return reply;
    },
    position(fix) {
      if (socket?.readyState !== OPEN) return Promise.reject(new Error('not connected: the position was not sent'));
      const tag = `p${++fixes}`;
      const answer = new Promise<void>((resolve, reject) => positions.set(tag, { resolve, reject }));
      send({ type: 'position', ref: tag, ...fix });
      return answer;
    },
    view: (track, session) => followed.get(sessionKey({ track, session }))?.view,
    seq: (track, session) => followed.get(sessionKey({ track, session }))?.seq,
    positions: (track, session) => followed.get(sessionKey({ track, session }))?.riders,
    close() {
      closed = true;
      failPending('the client was closed before the reply');
      clearTimeout(retryTimer);
      if (socket) socket.close();
      else status({ kind: 'closed' });
    },
  };
}

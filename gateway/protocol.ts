import { decode, encode } from '@msgpack/msgpack';
import { VERB_PATTERN } from '../actors/contracts/race-control.ts';
import type { SessionView, ViewDiff } from '../actors/contracts/view.ts';

/**
 * The spectator WebSocket protocol (docs/protocol.md): binary MessagePack frames, one object each, told apart by
 * `type`. Shared by the gateway and the client library (browser and Node), so it imports nothing Node-only.
 * A change that an older peer could misread bumps PROTOCOL_VERSION; the server announces it in `hello`.
 */
export const PROTOCOL_VERSION = 1;

/** The ids of a session, slugs as in NATS subjects. */
export interface SessionRef {
  track: string;
  session: string;
}

export interface SubscribeFrame extends SessionRef {
  type: 'subscribe';
}
export interface UnsubscribeFrame extends SessionRef {
  type: 'unsubscribe';
}
/** Asks for a fresh snapshot after a gap. */
export interface ResyncFrame extends SessionRef {
  type: 'resync';
}
/**
 * Logs the connection in with an access token from the identity provider (DESIGN §6: tokens never go in URLs).
 * Sent first; sent again before expiry, it replaces the connection's claims.
 */
export interface AuthFrame {
  type: 'auth';
  token: string;
}
/**
 * A race-control command (issue 11), after an accepted `auth` frame. `ref` is the client's own tag, echoed in the
 * reply; `args` are the verb's arguments (docs/race-control.md); `why` goes into the control log and the audit.
 */
export interface CommandFrame extends SessionRef {
  type: 'command';
  ref?: string;
  verb: string;
  args?: Record<string, unknown>;
  why?: string;
}

/**
 * A rider's position (issue 15), after an accepted `auth` frame with the entry's competitor token: the rider page
 * sends one per geolocation fix. `atMs` is when the phone took it (ms since the epoch), `speed` m/s, `accuracy`
 * metres. Answered with a `position` frame once stored, or an `error` frame carrying the same `ref`.
 */
export interface PositionFrame {
  type: 'position';
  ref?: string;
  event: string;
  number: string;
  atMs: number;
  lat: number;
  lon: number;
  speed?: number;
  accuracy?: number;
}

export type SessionFrame = SubscribeFrame | UnsubscribeFrame | ResyncFrame;
export type ClientFrame = SessionFrame | AuthFrame | CommandFrame | PositionFrame;

/** First frame on every connection. */
export interface HelloFrame {
  type: 'hello';
  protocol: number;
}
export interface SnapshotFrame extends SessionRef {
  type: 'snapshot';
  seq: number;
  view: SessionView;
}
export interface DiffFrame extends SessionRef {
  type: 'diff';
  seq: number;
  diff: ViewDiff;
}

/** The answer to an accepted `auth` frame: who the connection is now, until `expiresAt`. */
export interface AuthOkFrame {
  type: 'auth';
  ok: true;
  sub: string;
  org: string;
  roles: string[];
  /** The token's `exp`: seconds since the epoch. Past it, private subscriptions end with `auth_expired`. */
  expiresAt: number;
  /** A competitor token's entry: what the rider page reports positions for. */
  entry?: { event: string; number: string };
}

/** A `position` frame was stored (in EDGE, on `gps.<track>.<device>`); `ref` is the client's. */
export interface PositionAckFrame {
  type: 'position';
  ref?: string;
  ok: true;
}

/**
 * Why the gateway refused a client frame; also the `kind` label of `pitwall_input_errors_total`.
 * `auth_failed`: the token was refused; `forbidden`: a private session this connection may not follow, or a position
 * for an entry the token is not for; `auth_expired`: the token expired and the connection's private subscriptions
 * ended (not counted: no bad input). Positions also: `auth_required` (no `auth` yet), `unknown_entry` (the event or
 * entry is not declared), `bad_position` (numbers out of range), `rate_limited` (the rider sends too fast: not stored),
 * `unavailable` (not stored: send it again).
 */
export const ERROR_CODES = ['undecodable_frame', 'unknown_type', 'bad_message', 'unknown_session', 'auth_failed', 'forbidden', 'auth_expired',
  'auth_required', 'unknown_entry', 'bad_position', 'rate_limited', 'unavailable'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** Set when the error concerns one session (unknown_session, forbidden, auth_expired). */
  track?: string;
  session?: string;
  /** The `ref` of the `position` frame refused. */
  ref?: string;
}
/**
 * The answer to a `command` frame: the engine's decision (`accepted` with the RACE sequence of the event, or
 * `refused` with a code and the reason), or `unavailable` when no engine owns the session, none answered, or the
 * connection has not logged in (code `unknown_session`, `timeout`, `auth_required`).
 */
export interface CommandReplyFrame extends SessionRef {
  type: 'command';
  ref?: string;
  verb: string;
  /** The engine's id of the command (in the audit); absent when it never reached an engine. */
  id?: string;
  outcome: 'accepted' | 'refused' | 'unavailable';
  streamSeq?: number;
  code?: string;
  reason?: string;
}

/** An earlier position of a rider: `[atUs, lat, lon]` (a tuple: a trail is many of them). */
export type TrailPoint = [atUs: number, lat: number, lon: number];

/** One rider's latest position in a `positions` frame (GPS tracking, actors/contracts/gps.ts). */
export interface RiderPosition {
  /** The entry's number exactly as declared ("05" is not "5"). */
  number: string;
  /** When the phone took the fix, µs since the epoch. */
  atUs: number;
  lat: number;
  lon: number;
  speedMps?: number;
  accuracyM?: number;
  /**
   * How long before this frame the gateway received the fix, in ms: a page greys a rider not heard from for a while
   * by its own clock, whatever the phone's or the gateway's clock says.
   */
  ageMs: number;
  /** `full` frames only: the rider's earlier positions, oldest first (at most one per 5 s over the last 2 minutes). */
  trail?: TrailPoint[];
}

/**
 * Riders' positions in a session (the live map). Coalesced: at most one frame per session every 250 ms, with the
 * latest fix of each rider that moved since the previous one. A `full` frame (right after every `snapshot`) holds
 * every rider the gateway knows in the session, with trails, and replaces what the client had.
 */
export interface PositionsFrame extends SessionRef {
  type: 'positions';
  full?: true;
  riders: RiderPosition[];
}

export type ServerFrame = HelloFrame | SnapshotFrame | DiffFrame | ErrorFrame | AuthOkFrame | CommandReplyFrame | PositionAckFrame | PositionsFrame;

export type Decoded<T> = { ok: true; frame: T } | { ok: false; code: ErrorCode; message: string };

const SLUG = /^[a-z0-9-]+$/;
const CLIENT_TYPES = ['subscribe', 'unsubscribe', 'resync', 'auth', 'command', 'position'] as const;
const MAX_REF = 64;

export function encodeFrame(frame: ClientFrame | ServerFrame): Uint8Array {
  return encode(frame);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function decodeObject(bytes: Uint8Array): Decoded<Record<string, unknown>> {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    return { ok: false, code: 'undecodable_frame', message: `not MessagePack: ${(error as Error).message}` };
  }
  if (!isRecord(value)) return { ok: false, code: 'undecodable_frame', message: 'a frame is one MessagePack map' };
  if (typeof value.type !== 'string') return { ok: false, code: 'bad_message', message: 'frame has no string "type"' };
  return { ok: true, frame: value };
}

const isRiderPosition = (r: unknown): boolean => isRecord(r) && typeof r.number === 'string' && isSeq(r.atUs) &&
  typeof r.lat === 'number' && typeof r.lon === 'number' && typeof r.ageMs === 'number' && (r.trail === undefined || Array.isArray(r.trail));

/** A client frame, validated; never throws. */
export function decodeClientFrame(bytes: Uint8Array): Decoded<ClientFrame> {
  const decoded = decodeObject(bytes);
  if (!decoded.ok) return decoded;
  const { type, track, session, token, ref, verb, args, why } = decoded.frame;
  if (!(CLIENT_TYPES as readonly unknown[]).includes(type)) {
    return { ok: false, code: 'unknown_type', message: `unknown frame type ${JSON.stringify(type)}` };
  }
  if (type === 'position') return decodePosition(decoded.frame);
  if (type === 'auth') {
    // Whether it is a good JWT is the verifier's to say (error `auth_failed`).
    return typeof token === 'string' && token.length > 0
      ? { ok: true, frame: { type, token } }
      : { ok: false, code: 'bad_message', message: 'auth: token must be a non-empty string' };
  }
  for (const [name, value] of [['track', track], ['session', session]] as const) {
    if (typeof value !== 'string' || !SLUG.test(value)) {
      return { ok: false, code: 'bad_message', message: `${String(type)}: ${name} must be a slug [a-z0-9-]+` };
    }
  }
  if (type === 'command') {
    if (typeof verb !== 'string' || !VERB_PATTERN.test(verb)) return { ok: false, code: 'bad_message', message: 'command: verb must be [a-z-]+' };
    if (ref !== undefined && (typeof ref !== 'string' || ref.length > MAX_REF)) return { ok: false, code: 'bad_message', message: `command: ref must be a string of at most ${MAX_REF} characters` };
    if (args !== undefined && !isRecord(args)) return { ok: false, code: 'bad_message', message: 'command: args must be a map' };
    if (why !== undefined && typeof why !== 'string') return { ok: false, code: 'bad_message', message: 'command: why must be a string' };
    const frame: CommandFrame = { type, track: track as string, session: session as string, verb, ...(ref !== undefined && { ref: ref as string }),
      ...(args !== undefined && { args: args as Record<string, unknown> }), ...(why !== undefined && why !== '' && { why: why as string }) };
    return { ok: true, frame };
  }
  return { ok: true, frame: { type, track, session } as SessionFrame };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A `position` frame's shape: whether the numbers are plausible, and whose entry it is, is the gateway's to say. */
function decodePosition(f: Record<string, unknown>): Decoded<ClientFrame> {
  const bad = (message: string): Decoded<ClientFrame> => ({ ok: false, code: 'bad_message', message: `position: ${message}` });
  const { ref, event, number, atMs, lat, lon, speed, accuracy } = f;
  if (ref !== undefined && (typeof ref !== 'string' || ref.length > MAX_REF)) return bad(`ref must be a string of at most ${MAX_REF} characters`);
  if (typeof event !== 'string' || !SLUG.test(event)) return bad('event must be a slug [a-z0-9-]+');
  if (typeof number !== 'string' || number === '' || number.length > MAX_REF) return bad('number must be a non-empty string (as declared: "05" is not "5")');
  for (const [name, value] of [['atMs', atMs], ['lat', lat], ['lon', lon]] as const) {
    if (!isNumber(value)) return bad(`${name} must be a finite number`);
  }
  for (const [name, value] of [['speed', speed], ['accuracy', accuracy]] as const) {
    if (value !== undefined && value !== null && !isNumber(value)) return bad(`${name} must be a finite number when given`);
  }
  const frame: PositionFrame = { type: 'position', ...(ref !== undefined && { ref: ref as string }), event, number, atMs: atMs as number,
    lat: lat as number, lon: lon as number, ...(isNumber(speed) && { speed }), ...(isNumber(accuracy) && { accuracy }) };
  return { ok: true, frame };
}

/**
 * A server frame, checked for its shape (not the contents of views and diffs, which the server built with the
 * contract code). Frame types this client does not know are reported as unknown_type so that it can ignore them.
 */
export function decodeServerFrame(bytes: Uint8Array): Decoded<ServerFrame> {
  const decoded = decodeObject(bytes);
  if (!decoded.ok) return decoded;
  const f = decoded.frame;
  const bad = (message: string): Decoded<ServerFrame> => ({ ok: false, code: 'bad_message', message: `${String(f.type)}: ${message}` });
  const ref = typeof f.track === 'string' && typeof f.session === 'string';
  switch (f.type) {
    case 'hello':
      return typeof f.protocol === 'number' ? { ok: true, frame: f as unknown as HelloFrame } : bad('no protocol');
    case 'snapshot':
      return ref && isSeq(f.seq) && isRecord(f.view) && Array.isArray(f.view.rows)
        ? { ok: true, frame: f as unknown as SnapshotFrame }
        : bad('needs track, session, seq and view');
    case 'diff':
      return ref && isSeq(f.seq) && isRecord(f.diff)
        ? { ok: true, frame: f as unknown as DiffFrame }
        : bad('needs track, session, seq and diff');
    case 'position':
      return f.ok === true ? { ok: true, frame: f as unknown as PositionAckFrame } : bad('needs ok');
    case 'auth':
      return f.ok === true && typeof f.sub === 'string' && typeof f.org === 'string' && Array.isArray(f.roles) && isSeq(f.expiresAt)
        ? { ok: true, frame: f as unknown as AuthOkFrame }
        : bad('needs ok, sub, org, roles and expiresAt');
    case 'command':
      return ref && typeof f.verb === 'string' && (f.outcome === 'accepted' || f.outcome === 'refused' || f.outcome === 'unavailable')
        ? { ok: true, frame: f as unknown as CommandReplyFrame }
        : bad('needs track, session, verb and outcome');
    case 'positions':
      return ref && Array.isArray(f.riders) && f.riders.every(isRiderPosition)
        ? { ok: true, frame: f as unknown as PositionsFrame }
        : bad('needs track, session and riders (number, atUs, lat, lon, ageMs)');
    case 'error':
      return typeof f.code === 'string' && typeof f.message === 'string'
        ? { ok: true, frame: f as unknown as ErrorFrame }
        : bad('needs code and message');
    default:
      return { ok: false, code: 'unknown_type', message: `unknown frame type ${JSON.stringify(f.type)}` };
  }
}

/** The key of a session in maps and the uWS topic of its frames. */
export const sessionKey = (ref: SessionRef) => `${ref.track}/${ref.session}`;

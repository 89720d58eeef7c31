import type { NatsConnection } from '@nats-io/transport-node';
import { riderDevice } from '../../actors/contracts/gps.ts';
import { ALL_GPS } from '../../actors/contracts/subjects.ts';
import { readFixMessage } from '../../engine/gps/fix-message.ts';
import type { LiveSessions } from '../live-sessions.ts';
import { encodeFrame, sessionKey, type SessionRef } from '../protocol.ts';
import { createSessionPositions, type SessionPositions } from './session-positions.ts';
import type { TrailOptions } from './trail.ts';

/** What becomes of a fix: shown (on its sessions' maps), or why not. */
export type FixOutcome = 'shown' | 'no_live_session' | 'old' | 'too_many_riders';

export interface LivePositions {
  /** Where coalesced `positions` frames go (encoded once): the hub writes them to the session's spectators. */
  listen(send: (ref: SessionRef, bytes: Uint8Array) => void): void;
  /** The `full` positions frame of a session (every rider, with trails), or undefined when no rider sent a fix. */
  fullFrame(ref: SessionRef): Uint8Array | undefined;
  stop(): void;
}

export interface LivePositionsDeps {
  nc: NatsConnection;
  /** Which sessions are live, at which track, in which event: a fix shows in its event's live sessions at its track. */
  live: Pick<LiveSessions, 'list'>;
  log: (line: string) => void;
  /** A message on `gps.>` that is no fix (counted as input errors). */
  badInput: () => void;
  /** What became of each fix, per session it was for. */
  fixes: (outcome: FixOutcome) => void;
  now?: () => number;
}

export interface LivePositionsOptions {
  /** At most one frame per session this often (ms), with each moved rider's latest fix. Default 250. */
  coalesceMs?: number;
  /** Riders per session (a fix names a declared entry; this bounds memory whatever the declarations say). Default 500. */
  maxRiders?: number;
  trail?: TrailOptions;
}

/**
 * How long a `full` frame is reused for late joiners (until riders move, at most this): its riders' ages are this
 * stale at most. A joiner gets it, then every rider that moved since it was built in the next coalesced frame.
 */
const FULL_FRAME_MS = 1000;

/**
 * Riders' positions for spectators. Every gateway subscribes (core NATS) to every accepted fix (`gps.>`), whichever
 * gateway accepted it; a fix belongs to the live sessions at its track whose event is the fix's entry's event. Each
 * session keeps each rider's latest fix and a short trail (session-positions.ts); the riders that moved go out as
 * one `positions` frame per session every `coalesceMs`. Sessions no longer live are forgotten.
 */
export function createLivePositions(deps: LivePositionsDeps, opts: LivePositionsOptions = {}): LivePositions {
  const now = deps.now ?? Date.now;
  const coalesceMs = opts.coalesceMs ?? 250;
  const sessions = new Map<string, { ref: SessionRef; riders: SessionPositions; full?: { at: number; bytes: Uint8Array } }>();
  let send: ((ref: SessionRef, bytes: Uint8Array) => void) | undefined;
  let scheduled: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    scheduled = undefined;
    const live = new Set(deps.live.list().map(sessionKey));
    const at = now();
    for (const [key, s] of sessions) {
      if (!live.has(key)) {
        sessions.delete(key);
        continue;
      }
      const riders = s.riders.takeChanged(at);
      if (riders.length === 0) continue;
      s.full = undefined; // a joiner from now on gets these riders in its full frame, the others in this frame
      send?.(s.ref, encodeFrame({ type: 'positions', ...s.ref, riders }));
    }
  };

  /** The engine's reading of a fix message (engine/gps/fix-message.ts), and the device must be its entry's. */
  const readFix = (subject: string, text: string) => {
    const read = readFixMessage(subject, text);
    if (!read.ok) return read.reason;
    const expected = riderDevice(read.fix.entry);
    return read.fix.device === expected ? read : `a fix of ${read.fix.entry.event} #${read.fix.entry.number} on device ${read.fix.device}, not ${expected}`;
  };

  const onFix = (subject: string, text: string) => {
    const read = readFix(subject, text);
    if (typeof read === 'string') {
      deps.badInput();
      return deps.log(`gateway: ${subject}: ${read}`);
    }
    const { track, fix } = read;
    const targets = deps.live.list().filter((s) => s.track === track && s.event === fix.entry.event);
    if (targets.length === 0) return deps.fixes('no_live_session');
    const { atUs, lat, lon, speedMps, accuracyM } = fix;
    const position = { number: fix.entry.number, atUs, lat, lon, ...(speedMps !== undefined && { speedMps }), ...(accuracyM !== undefined && { accuracyM }) };
    const at = now();
    for (const { session } of targets) {
      const ref = { track, session };
      const key = sessionKey(ref);
      let s = sessions.get(key);
      if (!s) sessions.set(key, (s = { ref, riders: createSessionPositions({ maxRiders: opts.maxRiders ?? 500, ...(opts.trail && { trail: opts.trail }) }) }));
      const outcome = s.riders.add(position, at);
      deps.fixes(outcome === 'full' ? 'too_many_riders' : outcome);
      if (outcome === 'shown') scheduled ??= setTimeout(flush, coalesceMs);
    }
  };

  const sub = deps.nc.subscribe(ALL_GPS, {
    callback: (err, msg) => {
      if (err) return deps.log(`gateway: gps subscription: ${err.message}`);
      onFix(msg.subject, msg.string());
    },
  });

  return {
    listen: (next) => { send = next; },
    fullFrame(ref) {
      const s = sessions.get(sessionKey(ref));
      if (!s || s.riders.size === 0) return undefined;
      const at = now();
      if (!s.full || at - s.full.at > FULL_FRAME_MS) {
        s.full = { at, bytes: encodeFrame({ type: 'positions', ...ref, full: true, riders: s.riders.all(at) }) };
      }
      return s.full.bytes;
    },
    stop() {
      clearTimeout(scheduled);
      scheduled = undefined;
      sub.unsubscribe();
      sessions.clear();
    },
  };
}

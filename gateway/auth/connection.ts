import type { WebSocket } from 'uWebSockets.js';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import type { SessionRef } from '../protocol.ts';
import type { PrivateEvent } from './private-events.ts';

/** One WebSocket's login: the claims of its last accepted token until that token's expiry, and what they opened. */
export interface ConnectionAuth {
  /** The claims of the last accepted token, until it expires. */
  claims(): VerifiedClaims | undefined;
  /** Replaces the claims; `expiresAt` is the token's exp (seconds since the epoch). */
  login(claims: VerifiedClaims, expiresAt: number): void;
  /** Subscriptions to private events' sessions, by session key: they end when the login does. */
  readonly privateSessions: Map<string, { ref: SessionRef; events: PrivateEvent[] }>;
  /** Runs `step` after the connection's earlier frames are handled: frames take effect in the order sent. */
  enqueue(step: () => Promise<void> | void): void;
  /** Runs `send` corked, unless the socket closed meanwhile (a closed uWS socket must not be touched). */
  corked(send: () => void): void;
  close(): void;
}

/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function createConnectionAuth<T>(ws: WebSocket<T>, deps: { expired: (conn: ConnectionAuth) => void; log: (line: string) => void;
  now?: () => number }): ConnectionAuth {
  const now = deps.now ?? Date.now;
  let current: { claims: VerifiedClaims; expiresAt: number } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const schedule = () => {
    clearTimeout(timer);
    if (!current) return;
    const delay = current.expiresAt * 1000 - now();
    timer = setTimeout(() => {
      if (closed || !current) return;
      if (current.expiresAt * 1000 > now()) return schedule();
      current = undefined;
      conn.corked(() => deps.expired(conn));
    }, Math.min(Math.max(delay, 0), MAX_DELAY_MS));
  };

  const conn: ConnectionAuth = {
    claims: () => current?.claims,
    login(claims, expiresAt) {
      current = { claims, expiresAt };
      schedule();
    },
    privateSessions: new Map(),
    enqueue(step) {
      queue = queue.then(step).catch((error: unknown) => deps.log(`gateway: a client frame failed: ${(error as Error).message}`));
    },
    corked(send) {
      if (!closed) ws.cork(send);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      current = undefined;
    },
  };
  return conn;
}

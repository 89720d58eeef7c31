import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

/**
 * A TCP client of a track-side device (a P3 decoder, an RFID reader) that is kept connected: on loss it reconnects
 * with bounded exponential backoff and jitter; a device silent for `idleTimeoutMs` counts as lost (decoders send a
 * STATUS every second; readers at least a keep-alive). Each connection hands its bytes to `onData`, then `onClose`.
 */
export interface TcpFeedOptions {
  host: string;
  port: number;
  backoff?: BackoffOptions;
  /** 0 disables. */
  idleTimeoutMs?: number;
  random?: () => number;
}

export interface TcpFeedHandlers {
  onConnect(): void;
  onData(chunk: Buffer): void;
  onClose(reason: string, wasConnected: boolean, retryInMs: number): void;
}

export interface TcpFeed {
  readonly address: string;
  connected(): boolean;
  /** Reconnections after the first connect. */
  reconnects(): number;
  /** Stop reading (TCP pushes back on the device) while the outbox is full; `resume` reads again. */
  pause(): void;
  resume(): void;
  stop(): void;
}

export function startTcpFeed(opts: TcpFeedOptions, handlers: TcpFeedHandlers): TcpFeed {
  const backoff = createBackoff(opts.backoff ?? DEFAULT_BACKOFF, opts.random);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const stopping = new AbortController();
  let socket: net.Socket | undefined;
  let connected = false;
  let everConnected = false;
  let reconnects = 0;

  const connectOnce = () => {
    if (stopping.signal.aborted) return;
    const s = net.createConnection({ host: opts.host, port: opts.port });
    socket = s;
    let reason = 'closed by the device';
    s.setKeepAlive(true, 5000);
    if (idleTimeoutMs > 0) s.setTimeout(idleTimeoutMs);
    s.on('connect', () => {
      if (everConnected) reconnects++;
      everConnected = true;
      connected = true;
      backoff.reset();
      handlers.onConnect();
    });
    s.on('data', (chunk: Buffer) => handlers.onData(chunk));
    s.on('timeout', () => {
      reason = `no data for ${idleTimeoutMs} ms`;
      s.destroy();
    });
    s.on('error', (e) => (reason = e.message));
    s.on('close', () => {
      if (socket === s) socket = undefined;
      const wasConnected = connected;
      connected = false;
      if (stopping.signal.aborted) return;
      const waitMs = backoff.next();
      handlers.onClose(reason, wasConnected, waitMs);
      sleep(waitMs, undefined, { signal: stopping.signal }).then(connectOnce, () => undefined);
    });
  };
  connectOnce();

  return {
    address: `${opts.host}:${opts.port}`,
    connected: () => connected,
    reconnects: () => reconnects,
    pause: () => socket?.pause(),
    resume: () => socket?.resume(),
    stop() {
      stopping.abort();
      socket?.destroy();
    },
  };
}

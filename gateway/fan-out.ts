import type { GatewayMetrics } from './metrics.ts';
import type { QueuedSocket, SlowSpectators } from './slow-spectators.ts';

/** The socket calls fan-out makes (a uWS WebSocket has them). */
export interface FanOutSocket extends QueuedSocket {
  send(message: Uint8Array, isBinary: boolean): number;
  cork(cb: () => void): unknown;
}

export interface FanOut<S extends FanOutSocket> {
  /** Queues a frame for every socket of `audience` (one session's followers); written at the end of this turn. */
  queue(audience: Set<S>, bytes: Uint8Array): void;
  /** Writes what is queued for `audience` now: before a snapshot to one of them, so that nothing older follows it. */
  flush(audience: Set<S>): void;
  /** Forgets what is queued for `audience` (its session is no longer followed). */
  drop(audience: Set<S>): void;
  stop(): void;
}

/**
 * Writes each session's frames (encoded once) to each of its followers, and sees every write's status, which a uWS
 * topic publish hides (it skips a socket over maxBackpressure silently; this uWS build has no `dropped` handler).
 * Frames queued in one event-loop turn (NATS hands over several diffs at once under load) go to each socket in one
 * corked write, as a uWS topic would batch them: writing them one by one costs about four times the CPU per frame
 * (1.6 vs 6 µs per frame and socket with 5 frames a turn to 1000 sockets, here). Sockets out of fan-out are skipped.
 */
export function createFanOut<S extends FanOutSocket>(deps: { metrics: GatewayMetrics; slow: SlowSpectators<S> }): FanOut<S> {
  const { metrics, slow } = deps;
  const pending = new Map<Set<S>, Uint8Array[]>();
  let scheduled: ReturnType<typeof setImmediate> | undefined;

  const write = (audience: Set<S>, frames: Uint8Array[]) => {
    const started = performance.now();
    let sent = 0;
    let sentBytes = 0;
    for (const ws of audience) {
      if (slow.isSlow(ws)) continue;
      ws.cork(() => {
        for (const frame of frames) {
          if (slow.sent(ws, ws.send(frame, true))) {
            sent += 1;
            sentBytes += frame.byteLength;
          }
          if (slow.isSlow(ws)) break; // over the limit: the rest is covered by the snapshot it gets when it drains
        }
      });
    }
    metrics.framesSent(sent, sentBytes);
    metrics.framesDropped(audience.size * frames.length - sent);
    metrics.fanOut((performance.now() - started) / 1000);
  };

  const flushAll = () => {
    scheduled = undefined;
    for (const [audience, frames] of pending) write(audience, frames);
    pending.clear();
  };

  return {
    queue(audience, bytes) {
      const frames = pending.get(audience);
      if (frames) frames.push(bytes);
      else pending.set(audience, [bytes]);
      scheduled ??= setImmediate(flushAll);
    },
    flush(audience) {
      const frames = pending.get(audience);
      if (!frames) return;
      pending.delete(audience);
      write(audience, frames);
    },
    drop: (audience) => void pending.delete(audience),
    stop() {
      clearImmediate(scheduled);
      scheduled = undefined;
      pending.clear();
    },
  };
}

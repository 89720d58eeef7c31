import type { GatewayMetrics } from './metrics.ts';

/** What uWS `WebSocket.send` returns: queued over backpressure (will drain), written, or dropped over maxBackpressure. */
export const SendStatus = { BACKPRESSURE: 0, SUCCESS: 1, DROPPED: 2 } as const;

/** The calls this policy makes on a socket (a uWS WebSocket has them). */
export interface QueuedSocket {
  getBufferedAmount(): number;
  getRemoteAddressAsText(): ArrayBuffer;
  /** Closes at once, without a close frame (one could not get through a full queue anyway). */
  close(): void;
}

export interface SlowSpectatorOptions {
  /** Bytes queued in the gateway for one socket above which it leaves fan-out; also uWS's maxBackpressure. */
  maxBackpressure: number;
  /** How long a socket may stay out of fan-out before it is disconnected. */
  timeoutMs: number;
}

export interface SlowSpectators<S extends QueuedSocket> {
  /** Takes the status of a send to `ws`: over the limit, `ws` leaves fan-out. False when uWS dropped the frame. */
  sent(ws: S, status: number): boolean;
  /** True while `ws` is out of fan-out: frames for it are skipped and it owes a snapshot of every session it follows. */
  isSlow(ws: S): boolean;
  /** On uWS drain: true when `ws` is slow and its queue is now empty, so that it may come back. */
  canResume(ws: S): boolean;
  /** Takes `ws` back into fan-out; the caller sends it a snapshot of every session it follows. */
  resume(ws: S): void;
  /** The socket closed (whoever closed it). */
  forget(ws: S): void;
  stop(): void;
}

/**
 * Slow spectators (DESIGN §6: slow clients never slow the others). A socket whose queue in the gateway goes over
 * `maxBackpressure` after a send leaves fan-out: nothing more is queued for it. When uWS reports that its queue
 * drained to empty (into the kernel: the client may not be reading yet, and then it fills up again) it comes back,
 * and the hub sends it a snapshot of each session it follows (the client sees its last diffs, then a snapshot; never
 * a gap). A socket still out of fan-out after `timeoutMs` is disconnected.
 *
 * Memory bound: what the gateway holds for one slow socket is the queue that crossed the limit, i.e. at most
 * `maxBackpressure` plus the one frame that crossed it (a snapshot at worst); the uWS check in `send` refuses
 * anything more (control frames included) while the queue is over the limit, and after `timeoutMs` the socket and
 * its queue are freed. Beyond that sit only the kernel's socket buffers (net.ipv4.tcp_wmem), outside the heap.
 */
export function createSlowSpectators<S extends QueuedSocket>(
  deps: { metrics: GatewayMetrics; log: (line: string) => void },
  opts: SlowSpectatorOptions,
): SlowSpectators<S> {
  const { metrics, log } = deps;
  /** Slow sockets and the timer that disconnects each. */
  const slow = new Map<S, ReturnType<typeof setTimeout>>();
  metrics.slowSpectators(() => {
    let bufferedBytes = 0;
    for (const ws of slow.keys()) bufferedBytes += ws.getBufferedAmount();
    return { count: slow.size, bufferedBytes };
  });

  const disconnect = (ws: S) => {
    const queued = ws.getBufferedAmount();
    slow.delete(ws);
    metrics.slowSpectatorDisconnected();
    log(`gateway: spectator ${Buffer.from(ws.getRemoteAddressAsText()).toString()} stayed over the backpressure limit ` +
      `for ${opts.timeoutMs} ms (${queued} bytes queued): disconnected`);
    ws.close(); // calls the close handler, which forgets it again (a no-op)
  };

  const removeFromFanOut = (ws: S) => {
    if (slow.has(ws)) return;
    slow.set(ws, setTimeout(() => disconnect(ws), opts.timeoutMs));
    metrics.slowSpectatorRemoved();
  };

  return {
    sent(ws, status) {
      if (status === SendStatus.SUCCESS) return true;
      // BACKPRESSURE: queued; the frame reaches the client, but over the limit nothing more is queued after it.
      if (status === SendStatus.DROPPED || ws.getBufferedAmount() > opts.maxBackpressure) removeFromFanOut(ws);
      return status !== SendStatus.DROPPED;
    },
    isSlow: (ws) => slow.has(ws),
    canResume: (ws) => slow.has(ws) && ws.getBufferedAmount() === 0,
    resume(ws) {
      clearTimeout(slow.get(ws));
      slow.delete(ws);
      metrics.slowSpectatorResynced();
    },
    forget(ws) {
      clearTimeout(slow.get(ws));
      slow.delete(ws);
    },
    stop() {
      for (const timer of slow.values()) clearTimeout(timer);
      slow.clear();
    },
  };
}

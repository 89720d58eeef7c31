import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCapture, type CaptureEntry } from './capture.ts';

/**
 * Serves a capture file over TCP like a live scoreboard feed, at N× real time, to every client that connects.
 *
 * Each connection gets its own playback from the start (or from `fromLine`), so a client that connects late misses
 * nothing: that is what a replay is for (a live Orbits feed would start mid-stream instead).
 * Timing follows the capture's `##` receive timestamps; a capture without them plays at a steady `linesPerSecond`
 * (at 1×). `speed: 'max'` sends as fast as the client reads (the socket's backpressure paces it).
 * Lines go out as they are in the file, with CR LF; capture artefacts (a broken `##` header, an over-long line) and
 * lines of other sources in a mixed log (`|ftcar`) are not part of the feed and are not sent.
 */
export interface ReplayServerOptions {
  file: string;
  /** 0 = a random free port. */
  port: number;
  host?: string;
  speed: number | 'max';
  /** Start at this 1-based line of the file. */
  fromLine?: number;
  /** Pace of a capture without timestamps, at 1× (default 20). */
  linesPerSecond?: number;
}

export interface ReplayServer {
  port: number;
  url: string;
  /** Number of clients connected now. */
  clients(): number;
  stop(): Promise<void>;
}

/** Whether a capture entry is part of the RMonitor feed the replay serves. */
export function isFeedLine(entry: CaptureEntry): boolean {
  if (entry.channel && entry.channel !== 'rmonitor') return false;
  return !(entry.error && (entry.error.kind === 'bad-capture-header' || entry.error.kind === 'too-long'));
}

export async function createReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const stopping = new AbortController();

  const play = async (socket: net.Socket, signal: AbortSignal) => {
    const lps = opts.linesPerSecond ?? 20;
    const startMs = performance.now();
    let firstUs: number | undefined;
    let index = 0;
    for await (const entry of readCapture(opts.file)) {
      if (signal.aborted) return;
      if (entry.line < (opts.fromLine ?? 1) || !isFeedLine(entry)) continue;
      if (opts.speed !== 'max') {
        const atUs = entry.receivedAtUs ?? (index * 1_000_000) / lps;
        firstUs ??= atUs;
        const dueMs = startMs + (atUs - firstUs) / 1000 / opts.speed;
        const waitMs = dueMs - performance.now();
        if (waitMs > 1) await sleep(waitMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
      }
      index++;
      if (!socket.write(entry.raw + '\r\n')) {
        await new Promise<void>((resolve) => {
          const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
      }
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    const ended = new AbortController();
    const onStop = () => ended.abort();
    stopping.signal.addEventListener('abort', onStop);
    socket.on('error', () => undefined); // a client that goes away is normal
    socket.on('close', () => {
      sockets.delete(socket);
      stopping.signal.removeEventListener('abort', onStop);
      ended.abort();
    });
    play(socket, ended.signal).catch((e: unknown) => socket.destroy(e instanceof Error ? e : new Error(String(e))));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `tcp://${host}:${port}`,
    clients: () => sockets.size,
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

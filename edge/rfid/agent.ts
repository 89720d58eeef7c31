import type { NatsConnection } from '@nats-io/transport-node';
import type { RfidAgentHealth } from '../../actors/contracts/raw.ts';
import { startAgentHealth } from '../agent-health.ts';
import type { BackoffOptions } from '../backoff.ts';
import { createEdgeClock, type EdgeClock } from '../edge-clock.ts';
import { createEdgePublisher, type EdgeOutgoing } from '../edge-publisher.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { createLineFramer } from '../rmonitor/line-framer.ts';
import { startTcpFeed, type TcpFeed } from '../tcp-feed.ts';
import { createRfidClusterer, DEFAULT_RFID_GAP_MS, type RfidClusterOptions, type RfidPassing } from './clusters.ts';
import { parseRfidLine } from './read-log.ts';

/**
 * The RFID mat agent: reads in the shared read-log format (read-log.ts), from a reader's TCP line stream or from a
 * log file, each published to `edge.<track>.<device>.raw`; each chip's cluster of reads becomes one passing by chip
 * (clusters.ts) on `.passing`. Both through the outbox, in order. Bad lines are counted, logged with their line
 * number and reason, and skipped. On a live stream a quiet timer closes the clusters of chips no longer read.
 */
export interface RfidAgentDeps {
  nc: NatsConnection | Promise<NatsConnection>;
  log?: (line: string) => void;
  clock?: EdgeClock;
  outbox?: Outbox;
}

export interface RfidAgentOptions extends RfidClusterOptions {
  track: string;
  device: string;
  /** µs of the midnight the reader's times of day count from (UTC midnight of today on the agent's clock by default). */
  dayStartUs?: number;
  healthIntervalMs?: number;
  maxQueued?: number;
}

export interface RfidAgent {
  /** Takes one line of the read format (a file's or the stream's). */
  line(text: string, lineNo: number): void;
  /** Closes every open cluster (end of a file). */
  flush(): void;
  /**
   * Reads a reader's TCP line stream, kept connected with backoff; a quiet timer closes clusters meanwhile. While
   * `maxQueued` readings wait for room in a full outbox, the stream is not read (TCP pushes back on the reader).
   */
  connect(host: string, port: number, backoff?: BackoffOptions): void;
  drained(): Promise<void>;
  health(): RfidAgentHealth;
  stop(): Promise<void>;
}

export function createRfidAgent(deps: RfidAgentDeps, opts: RfidAgentOptions): RfidAgent {
  const log = deps.log ?? (() => undefined);
  const clock = deps.clock ?? createEdgeClock();
  const publisher = createEdgePublisher({ nc: deps.nc, log, ...(deps.outbox ? { outbox: deps.outbox } : {}) }, { track: opts.track, device: opts.device });
  const clusterer = createRfidClusterer(opts);
  const dayStartUs = opts.dayStartUs ?? Math.floor(clock.nowUs() / 86_400_000_000) * 86_400_000_000;
  const counts = { reads: 0, passings: 0, estimatesSkipped: 0, badLines: 0 };
  let feed: TcpFeed | undefined;
  let quietTimer: NodeJS.Timeout | undefined;
  /** The last read's time, and when (agent clock) it came: to tell the clusterer the reader's time while it is quiet. */
  let lastRead: { atUs: number; receivedUs: number } | undefined;

  const maxQueued = opts.maxQueued ?? 5000;
  let waiting = 0;
  const enqueue = (message: EdgeOutgoing) => {
    waiting++;
    if (waiting === maxQueued) feed?.pause();
    void publisher.publish(message).then(() => {
      waiting--;
      if (waiting === Math.floor(maxQueued / 2)) feed?.resume();
    }, (err: unknown) => log(`rfid: reading not kept: ${(err as Error).message}`));
  };
  const emit = (passings: RfidPassing[]) => {
    for (const p of passings) {
      counts.passings++;
      enqueue({ kind: 'passing', body: { type: 'passing', atUs: p.atUs, precisionUs: p.precisionUs, source: 'rfid', chip: p.chip } });
    }
  };

  const agent: RfidAgent = {
    line(text, lineNo) {
      const parsed = parseRfidLine(text, lineNo, dayStartUs);
      if (parsed.kind === 'skip') return;
      if (parsed.kind === 'estimate') {
        counts.estimatesSkipped++;
        return;
      }
      if (parsed.kind === 'error') {
        counts.badLines++;
        log(`rfid: ${parsed.message}, skipped`);
        return;
      }
      counts.reads++;
      lastRead = { atUs: parsed.read.atUs, receivedUs: clock.nowUs() };
      enqueue({ kind: 'raw', body: { type: 'raw', source: 'rfid', receivedAtUs: lastRead.receivedUs, read: parsed.read } });
      emit(clusterer.push(parsed.read));
    },
    flush: () => emit(clusterer.flush()),
    connect(host, port, backoff) {
      const newFramer = () =>
        createLineFramer({ onLine: agent.line, onTooLong: (_head, n) => (counts.badLines++, log(`rfid: line ${n}: over 1024 characters, skipped`)) }, { maxLength: 1024 });
      let framer = newFramer();
      feed = startTcpFeed(
        { host, port, ...(backoff ? { backoff } : {}) },
        {
          onConnect() {
            framer = newFramer(); // each connection is framed anew
            log(`rfid: connected to ${host}:${port}`);
            reporter.publish();
          },
          onData: (chunk) => framer.push(chunk),
          onClose(reason, wasConnected, retryInMs) {
            framer.end();
            log(`rfid: reader ${host}:${port} ${wasConnected ? 'lost' : 'unreachable'} (${reason}), retrying in ${retryInMs} ms`);
            if (wasConnected) reporter.publish();
          },
        },
      );
      // The reader's time now = its last read + the time since: chips no longer read get their passing.
      quietTimer = setInterval(() => {
        if (lastRead) emit(clusterer.flush(lastRead.atUs + (clock.nowUs() - lastRead.receivedUs)));
      }, Math.max(100, (opts.gapMs ?? DEFAULT_RFID_GAP_MS) / 4));
    },
    drained: () => publisher.drained(),
    health: () => reporter.health(),
    async stop() {
      if (quietTimer) clearInterval(quietTimer);
      feed?.stop();
      reporter.stop();
      reporter.publish();
      await publisher.stop();
    },
  };

  const reporter = startAgentHealth(
    { nc: deps.nc, publisher, clock, log },
    {
      track: opts.track,
      device: opts.device,
      agent: 'rfid',
      ...(opts.healthIntervalMs === undefined ? {} : { intervalMs: opts.healthIntervalMs }),
      extra: () => ({
        agent: 'rfid' as const,
        ...(feed ? { feed: feed.address, connected: feed.connected() } : {}),
        ...counts,
        tooSoon: clusterer.stats().tooSoon,
      }),
    },
  );
  return agent;
}

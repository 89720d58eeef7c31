import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeRmonMessage, RmonAgentHealth, RmonErrorKind } from '../../actors/contracts/rmonitor.ts';
import { startAgentHealth } from '../agent-health.ts';
import type { BackoffOptions } from '../backoff.ts';
import { createEdgeClock, type EdgeClock } from '../edge-clock.ts';
import { createEdgePublisher } from '../edge-publisher.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { parseLine, splitMerged } from './codec.ts';
import { RmonitorParseError } from './errors.ts';
import { createLineFramer } from './line-framer.ts';
import { startTcpFeed } from '../tcp-feed.ts';
import { createRmonCounter } from './stats.ts';

/**
 * The RMonitor feed agent: a TCP client of a scoreboard feed (Orbits, a replay) that publishes every line, parsed,
 * to `edge.<track>.<device>.rmon` in JetStream through the edge publisher's outbox: in order, each with the message
 * id `<device>:<boot>:<seq>`, kept until JetStream acknowledged it (edge/outbox/). While the outbox is full, the
 * feed is not read (TCP pushes back on the scoreboard).
 *
 * The feed connection is kept up: on loss it reconnects with bounded exponential backoff and jitter; a feed that
 * stays silent for `idleTimeoutMs` (RMonitor sends `$F` every second) counts as lost. Each connection is framed
 * anew (a partial line at a disconnect is delivered as what it is, usually an error). Lines over `maxLineLength`
 * are errors (`too-long`), and framing resumes at the next newline.
 *
 * Health (feed connection, outages, counts, clock, outbox) goes to `edge.<track>.<device>.health` every
 * `healthIntervalMs` and on every connect and disconnect.
 */
export interface RmonitorAgentDeps {
  /** Or its promise: the feed is read into the outbox before NATS is reached. */
  nc: NatsConnection | Promise<NatsConnection>;
  log?: (line: string) => void;
  random?: () => number;
  /** Receive stamps and health times (default: an edge clock, edge-clock.ts). */
  clock?: EdgeClock;
  /** Where lines wait for JetStream: `pitwall edge rmonitor` passes its disk outbox; in memory by default. */
  outbox?: Outbox;
}

export interface RmonitorAgentOptions {
  track: string;
  device: string;
  host: string;
  port: number;
  maxLineLength?: number;
  backoff?: BackoffOptions;
  healthIntervalMs?: number;
  /** 0 disables. */
  idleTimeoutMs?: number;
  /** Pause reading the feed while this many lines wait for room in a full outbox. */
  maxQueued?: number;
}

export interface RmonitorAgent {
  health(): RmonAgentHealth;
  /** Closes the feed, publishes a last health, and stops sending: unacknowledged lines stay in the outbox. */
  stop(): Promise<void>;
}

const MAX_OUTAGES_KEPT = 20;

export function createRmonitorAgent(deps: RmonitorAgentDeps, opts: RmonitorAgentOptions): RmonitorAgent {
  const log = deps.log ?? (() => undefined);
  const clock = deps.clock ?? createEdgeClock();
  const nowUs = () => clock.nowUs();
  const publisher = createEdgePublisher({ nc: deps.nc, log, ...(deps.outbox ? { outbox: deps.outbox } : {}) }, { track: opts.track, device: opts.device });
  const maxLineLength = opts.maxLineLength ?? 4096;
  const maxQueued = opts.maxQueued ?? 5000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const feed = `${opts.host}:${opts.port}`;
  const counter = createRmonCounter();

  let connected = false;
  let sinceUs = nowUs();
  let outageCount = 0;
  const outages: RmonAgentHealth['outages'] = [];
  /** Reading is paused while the outbox is full. */
  let paused = false;
  /** Lines handed to the publisher and not yet in the outbox (only while it is full). */
  let waiting = 0;

  const reporter = startAgentHealth(
    { nc: deps.nc, publisher, clock, log },
    {
      track: opts.track,
      device: opts.device,
      agent: 'rmonitor',
      ...(opts.healthIntervalMs === undefined ? {} : { intervalMs: opts.healthIntervalMs }),
      extra: () => {
        const c = counter.snapshot();
        return {
          agent: 'rmonitor' as const, feed, connected, sinceUs, reconnects: tcp.reconnects(), outages: outages.map((o) => ({ ...o })), outageCount,
          records: c.records, recordsByType: c.recordsByType, errors: c.errors,
        };
      },
    },
  );
  const publishHealth = reporter.publish;

  /** Returns whether a new outage started (false while one is open: failed retries are the same outage). */
  const startOutage = (reason: string): boolean => {
    const last = outages.at(-1);
    if (last && last.endUs === undefined) return false;
    outageCount++;
    outages.push({ startUs: nowUs(), reason });
    if (outages.length > MAX_OUTAGES_KEPT) outages.shift();
    return true;
  };

  const endOutage = () => {
    const open = outages.at(-1);
    if (open && open.endUs === undefined) open.endUs = nowUs();
  };

  const enqueue = (body: Omit<EdgeRmonMessage, 'device' | 'boot' | 'seq'>) => {
    waiting++;
    if (waiting >= maxQueued && !paused) {
      paused = true;
      tcp.pause();
    }
    void publisher.publish({ kind: 'rmon', body }).then(() => {
      waiting--;
      if (waiting < maxQueued / 2 && paused) {
        paused = false;
        tcp.resume();
      }
    }, (err: unknown) => log(`rmonitor: line not kept: ${(err as Error).message}`));
  };

  const onLine = (text: string, lineNo: number) => {
    if (text.trim() === '') return;
    const receivedAtUs = nowUs();
    for (const raw of splitMerged(text)) {
      const result = parseLine(raw, lineNo);
      counter.count(result);
      const base = { type: 'rmon' as const, receivedAtUs, raw };
      if (result instanceof RmonitorParseError) {
        log(`rmonitor: ${result.message}`);
        enqueue({ ...base, error: { kind: result.kind, message: result.message } });
      } else {
        enqueue({ ...base, record: result });
      }
    }
  };

  const onTooLong = (head: string, lineNo: number) => {
    const kind: RmonErrorKind = 'too-long';
    counter.countError(kind);
    log(`rmonitor: line ${lineNo}: over ${maxLineLength} characters, skipped`);
    enqueue({ type: 'rmon', receivedAtUs: nowUs(), raw: head, error: { kind, message: `line ${lineNo}: ${kind}: over ${maxLineLength} characters` } });
  };

  // --- the feed connection (edge/tcp-feed.ts keeps it up); each connection is framed anew ---
  let framer = createLineFramer({ onLine, onTooLong }, { maxLength: maxLineLength });
  const tcp = startTcpFeed(
    { host: opts.host, port: opts.port, idleTimeoutMs, ...(opts.backoff ? { backoff: opts.backoff } : {}), ...(deps.random ? { random: deps.random } : {}) },
    {
      onConnect() {
        framer = createLineFramer({ onLine, onTooLong }, { maxLength: maxLineLength });
        connected = true;
        sinceUs = nowUs();
        endOutage();
        log(`rmonitor: connected to ${feed}`);
        publishHealth();
      },
      onData: (chunk) => framer.push(chunk),
      onClose(reason, wasConnected, retryInMs) {
        framer.end();
        connected = false;
        if (wasConnected) sinceUs = nowUs();
        const changed = startOutage(reason) || wasConnected;
        log(`rmonitor: feed ${feed} ${wasConnected ? 'lost' : 'unreachable'} (${reason}), retrying in ${retryInMs} ms`);
        if (changed) publishHealth();
      },
    },
  );

  return {
    health: reporter.health,
    async stop() {
      tcp.stop();
      reporter.stop();
      publishHealth();
      await publisher.stop();
    },
  };
}

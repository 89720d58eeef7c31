import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeRmonMessage, RmonAgentHealth, RmonErrorKind } from '../../actors/contracts/rmonitor.ts';
import { startAgentHealth } from '../agent-health.ts';
import { createBackoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.ts';
import { createEdgeClock, type EdgeClock } from '../edge-clock.ts';
import { createEdgePublisher } from '../edge-publisher.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { parseLine, splitMerged } from './codec.ts';
import { RmonitorParseError } from './errors.ts';
import { createLineFramer } from './line-framer.ts';
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
  const reconnectBackoff = createBackoff(opts.backoff ?? DEFAULT_BACKOFF, deps.random);
  const counter = createRmonCounter();
  const stopping = new AbortController();

  let connected = false;
  let sinceUs = nowUs();
  let reconnects = 0;
  let everConnected = false;
  let outageCount = 0;
  const outages: RmonAgentHealth['outages'] = [];
  let socket: net.Socket | undefined;
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
          agent: 'rmonitor' as const, feed, connected, sinceUs, reconnects, outages: outages.map((o) => ({ ...o })), outageCount,
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
    if (waiting >= maxQueued && socket && !socket.isPaused()) socket.pause();
    void publisher.publish({ kind: 'rmon', body }).then(() => {
      waiting--;
      if (waiting < maxQueued / 2 && socket?.isPaused()) socket.resume();
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

  // --- the feed connection ---
  const connectOnce = () => {
    if (stopping.signal.aborted) return;
    const framer = createLineFramer({ onLine, onTooLong }, { maxLength: maxLineLength });
    const s = net.createConnection({ host: opts.host, port: opts.port });
    socket = s;
    let reason = 'closed by the feed';
    s.setKeepAlive(true, 5000);
    if (idleTimeoutMs > 0) s.setTimeout(idleTimeoutMs);
    s.on('connect', () => {
      if (everConnected) reconnects++;
      everConnected = true;
      connected = true;
      sinceUs = nowUs();
      endOutage();
      reconnectBackoff.reset();
      log(`rmonitor: connected to ${feed}`);
      publishHealth();
    });
    s.on('data', (chunk: Buffer) => framer.push(chunk));
    s.on('timeout', () => {
      reason = `no data for ${idleTimeoutMs} ms`;
      s.destroy();
    });
    s.on('error', (e) => {
      reason = e.message;
    });
    s.on('close', () => {
      framer.end();
      if (socket === s) socket = undefined;
      const wasConnected = connected;
      connected = false;
      if (wasConnected) sinceUs = nowUs();
      if (stopping.signal.aborted) return;
      const changed = startOutage(reason) || wasConnected;
      const waitMs = reconnectBackoff.next();
      log(`rmonitor: feed ${feed} ${wasConnected ? 'lost' : 'unreachable'} (${reason}), retrying in ${waitMs} ms`);
      if (changed) publishHealth();
      sleep(waitMs, undefined, { signal: stopping.signal }).then(connectOnce, () => undefined);
    });
  };

  connectOnce();

  return {
    health: reporter.health,
    async stop() {
      stopping.abort();
      reporter.stop();
      socket?.destroy();
      publishHealth();
      await publisher.stop();
    },
  };
}

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgeRmonMessage, RmonAgentHealth, RmonErrorKind } from '../../actors/contracts/rmonitor.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { createBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { parseLine, splitMerged } from './codec.ts';
import { RmonitorParseError } from './errors.ts';
import { createLineFramer } from './line-framer.ts';
import { createRmonCounter } from './stats.ts';

/**
 * The RMonitor feed agent: a TCP client of a scoreboard feed (Orbits, a replay) that publishes every line, parsed,
 * to `edge.<track>.<device>.rmon` in JetStream, in order, each with the message id `<device>:<boot>:<seq>` and
 * awaiting its ack (a failed publish is retried with the same id, so JetStream drops a duplicate).
 *
 * The feed connection is kept up: on loss it reconnects with bounded exponential backoff and jitter; a feed that
 * stays silent for `idleTimeoutMs` (RMonitor sends `$F` every second) counts as lost. Each connection is framed
 * anew (a partial line at a disconnect is delivered as what it is, usually an error). Lines over `maxLineLength`
 * are errors (`too-long`), and framing resumes at the next newline.
 *
 * Health (connection, outages, counts) goes to `edge.<track>.<device>.health` every `healthIntervalMs` and on
 * every connect and disconnect.
 */
export interface RmonitorAgentDeps {
  nc: NatsConnection;
  log?: (line: string) => void;
  random?: () => number;
  /** Wall clock in µs since the epoch (receive stamps, health). */
  nowUs?: () => number;
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
  /** Pause reading the feed while this many lines wait for their ack. */
  maxQueued?: number;
}

export interface RmonitorAgent {
  health(): RmonAgentHealth;
  /** Closes the feed, publishes what was already read, then a last health. */
  stop(): Promise<void>;
}

const MAX_OUTAGES_KEPT = 20;

export function createRmonitorAgent(deps: RmonitorAgentDeps, opts: RmonitorAgentOptions): RmonitorAgent {
  const log = deps.log ?? (() => undefined);
  const nowUs = deps.nowUs ?? (() => Date.now() * 1000);
  const js = jetstream(deps.nc);
  const rmonSubject = subjects.edge(opts.track, opts.device, 'rmon');
  const healthSubject = subjects.edge(opts.track, opts.device, 'health');
  const boot = randomBytes(6).toString('hex');
  const maxLineLength = opts.maxLineLength ?? 4096;
  const maxQueued = opts.maxQueued ?? 5000;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const feed = `${opts.host}:${opts.port}`;
  const reconnectBackoff = createBackoff(opts.backoff ?? DEFAULT_BACKOFF, deps.random);
  const publishBackoff = createBackoff(opts.backoff ?? DEFAULT_BACKOFF, deps.random);
  const counter = createRmonCounter();
  const stopping = new AbortController();

  let seq = 0;
  let ackedSeq = 0;
  let publishRetries = 0;
  let connected = false;
  let sinceUs = nowUs();
  let reconnects = 0;
  let everConnected = false;
  let outageCount = 0;
  const outages: RmonAgentHealth['outages'] = [];
  let socket: net.Socket | undefined;
  const queue: EdgeRmonMessage[] = [];
  let pumping: Promise<void> | undefined;

  const health = (): RmonAgentHealth => {
    const c = counter.snapshot();
    return {
      type: 'health', agent: 'rmonitor', device: opts.device, boot, atUs: nowUs(), feed, connected, sinceUs, reconnects,
      outages: outages.map((o) => ({ ...o })), outageCount, records: c.records, recordsByType: c.recordsByType,
      errors: c.errors, publishRetries, ackedSeq,
    };
  };

  const publishHealth = () => {
    try {
      deps.nc.publish(healthSubject, JSON.stringify(health()));
    } catch (e) {
      log(`rmonitor: health not published: ${(e as Error).message}`);
    }
  };

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

  // --- publishing: one at a time, in order, each acked before the next ---
  const pump = async () => {
    while (queue.length > 0) {
      const msg = queue[0]!;
      try {
        await js.publish(rmonSubject, JSON.stringify(msg), { msgID: `${opts.device}:${boot}:${msg.seq}` });
        ackedSeq = msg.seq;
        queue.shift();
        publishBackoff.reset();
        if (queue.length < maxQueued / 2 && socket?.isPaused()) socket.resume();
      } catch (e) {
        publishRetries++;
        log(`rmonitor: publish of seq ${msg.seq} failed, retrying: ${(e as Error).message}`);
        if (deps.nc.isClosed() || stopping.signal.aborted) {
          log(`rmonitor: stopping with ${queue.length} line(s) unpublished (seq ${msg.seq}..${seq})`);
          return;
        }
        await sleep(publishBackoff.next());
      }
    }
  };

  const enqueue = (msg: EdgeRmonMessage) => {
    queue.push(msg);
    if (queue.length >= maxQueued && socket && !socket.isPaused()) socket.pause();
    pumping ??= pump().finally(() => (pumping = undefined));
  };

  const onLine = (text: string, lineNo: number) => {
    if (text.trim() === '') return;
    const receivedAtUs = nowUs();
    for (const raw of splitMerged(text)) {
      const result = parseLine(raw, lineNo);
      counter.count(result);
      const base = { type: 'rmon' as const, device: opts.device, boot, seq: ++seq, receivedAtUs, raw };
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
    enqueue({ type: 'rmon', device: opts.device, boot, seq: ++seq, receivedAtUs: nowUs(), raw: head, error: { kind, message: `line ${lineNo}: ${kind}: over ${maxLineLength} characters` } });
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

  const timer = setInterval(publishHealth, opts.healthIntervalMs ?? 5000);
  timer.unref();
  connectOnce();

  return {
    health,
    async stop() {
      stopping.abort();
      clearInterval(timer);
      socket?.destroy();
      await pumping;
      publishHealth();
    },
  };
}

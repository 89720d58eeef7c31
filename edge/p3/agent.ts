import type { NatsConnection } from '@nats-io/transport-node';
import type { EdgePassing } from '../../actors/contracts/events.ts';
import type { P3AgentHealth, P3ErrorKind, P3Record } from '../../actors/contracts/raw.ts';
import { startAgentHealth } from '../agent-health.ts';
import type { BackoffOptions } from '../backoff.ts';
import { createEdgeClock, type EdgeClock } from '../edge-clock.ts';
import { createEdgePublisher, type EdgeOutgoing } from '../edge-publisher.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { startTcpFeed } from '../tcp-feed.ts';
import { createP3Framer } from './framer.ts';
import { decodeP3Frame, hexOf, P3FrameError } from './records.ts';

/**
 * The P3 decoder agent (MYLAPS/AMB): a TCP client of the decoder (port 5403) that turns each PASSING into a
 * normalised passing on `edge.<track>.<device>.passing` (its transponder, `atUs` = the decoder's RTC_TIME, which it
 * stamps at the loop with 1 ms resolution) and keeps every frame, decoded or rejected, on `edge.<track>.<device>.raw`.
 * Both go through the outbox (edge/outbox/), in order. Bad frames (framing, escape, length, CRC, fields) are counted,
 * logged with the reason and skipped; the agent keeps reading.
 *
 * A decoder sends its stored passings again after a reconnect (and a replay serves the whole capture again): a
 * PASSING whose passing number and time are both not above the last one taken from that decoder in this run is a
 * duplicate and is not published as a passing again (it is counted, and kept as raw). A decoder that restarted counts
 * its passings from 1 again, at later times: those are new.
 */
export interface P3AgentDeps {
  nc: NatsConnection | Promise<NatsConnection>;
  log?: (line: string) => void;
  random?: () => number;
  clock?: EdgeClock;
  outbox?: Outbox;
}

export interface P3AgentOptions {
  track: string;
  device: string;
  host: string;
  port: number;
  backoff?: BackoffOptions;
  healthIntervalMs?: number;
  /** 0 disables; a decoder sends STATUS every second. */
  idleTimeoutMs?: number;
  /** Pause reading the decoder while this many readings wait for room in a full outbox. */
  maxQueued?: number;
}

export interface P3Agent {
  health(): P3AgentHealth;
  stop(): Promise<void>;
}

export const DEFAULT_P3_PORT = 5403;
/** RTC_TIME comes in µs, in whole milliseconds on the decoders we have seen (fixtures/amb.out). */
const P3_PRECISION_US = 1000;

export function createP3Agent(deps: P3AgentDeps, opts: P3AgentOptions): P3Agent {
  const log = deps.log ?? (() => undefined);
  const clock = deps.clock ?? createEdgeClock();
  const publisher = createEdgePublisher({ nc: deps.nc, log, ...(deps.outbox ? { outbox: deps.outbox } : {}) }, { track: opts.track, device: opts.device });
  const maxQueued = opts.maxQueued ?? 5000;
  const counts = { frames: 0, passings: 0, statuses: 0, duplicates: 0 };
  const errors: Partial<Record<P3ErrorKind, number>> = {};
  /** Per decoder, the last PASSING taken: its number and RTC time. */
  const lastPassing = new Map<string, { number: number; rtcTimeUs: number }>();
  let decoderOffsetUs: number | undefined;
  let waiting = 0;

  const enqueue = (message: EdgeOutgoing) => {
    waiting++;
    if (waiting === maxQueued) feed.pause();
    void publisher.publish(message).then(() => {
      waiting--;
      if (waiting === Math.floor(maxQueued / 2)) feed.resume();
    }, (err: unknown) => log(`p3: reading not kept: ${(err as Error).message}`));
  };

  const reject = (kind: P3ErrorKind, message: string, received: Uint8Array, receivedAtUs: number) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    log(`p3: ${feed.address}: ${kind}: ${message} (${hexOf(received.subarray(0, 64))}${received.length > 64 ? '…' : ''})`);
    enqueue({ kind: 'raw', body: { type: 'raw', source: 'p3', receivedAtUs, hex: hexOf(received), error: { kind, message } } });
  };

  const onPassing = (record: Extract<P3Record, { type: 'passing' }>, receivedAtUs: number) => {
    const decoder = record.decoderId ?? '';
    const last = lastPassing.get(decoder);
    // Sent again: not a higher number and not a later time. A restarted decoder counts from 1 again, at later times.
    if (last && record.passingNumber <= last.number && record.rtcTimeUs <= last.rtcTimeUs) {
      counts.duplicates++;
      return;
    }
    lastPassing.set(decoder, { number: record.passingNumber, rtcTimeUs: record.rtcTimeUs });
    counts.passings++;
    decoderOffsetUs = record.rtcTimeUs - receivedAtUs;
    const passing: Omit<EdgePassing, 'device' | 'boot' | 'seq'> = { type: 'passing', atUs: record.rtcTimeUs, precisionUs: P3_PRECISION_US, source: 'p3', transponder: record.transponder };
    enqueue({ kind: 'passing', body: passing });
  };

  const framerSink = {
    onFrame(frame: Uint8Array, received: Uint8Array) {
      const receivedAtUs = clock.nowUs();
      const record = decodeP3Frame(frame);
      if (record instanceof P3FrameError) return reject(record.kind, record.detail, received, receivedAtUs);
      counts.frames++;
      if (record.type === 'status') counts.statuses++;
      enqueue({ kind: 'raw', body: { type: 'raw', source: 'p3', receivedAtUs, hex: hexOf(received), record } });
      if (record.type === 'passing') onPassing(record, receivedAtUs);
    },
    onError: (kind: P3ErrorKind, message: string, received: Uint8Array) => reject(kind, message, received, clock.nowUs()),
  };
  let framer = createP3Framer(framerSink);

  const feed = startTcpFeed(
    { host: opts.host, port: opts.port, ...(opts.backoff ? { backoff: opts.backoff } : {}), ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.idleTimeoutMs }), ...(deps.random ? { random: deps.random } : {}) },
    {
      onConnect() {
        framer = createP3Framer(framerSink); // each connection is framed anew
        log(`p3: connected to ${feed.address}`);
        reporter.publish();
      },
      onData: (chunk) => framer.push(chunk),
      onClose(reason, wasConnected, retryInMs) {
        framer.end();
        log(`p3: decoder ${feed.address} ${wasConnected ? 'lost' : 'unreachable'} (${reason}), retrying in ${retryInMs} ms`);
        if (wasConnected) reporter.publish();
      },
    },
  );

  const reporter = startAgentHealth(
    { nc: deps.nc, publisher, clock, log },
    {
      track: opts.track,
      device: opts.device,
      agent: 'p3',
      ...(opts.healthIntervalMs === undefined ? {} : { intervalMs: opts.healthIntervalMs }),
      extra: () => ({
        agent: 'p3' as const, feed: feed.address, connected: feed.connected(), reconnects: feed.reconnects(), ...counts, errors: { ...errors },
        ...(decoderOffsetUs === undefined ? {} : { decoderOffsetUs }),
      }),
    },
  );

  return {
    health: reporter.health,
    async stop() {
      feed.stop();
      reporter.stop();
      reporter.publish();
      await publisher.stop();
    },
  };
}

import { Counter, Gauge, Summary, type Registry } from 'prom-client';
import type { FixOutcome } from './positions/live-positions.ts';
import { ERROR_CODES, type ErrorCode } from './protocol.ts';

/** Refusals of Traccar Client's OsmAnd requests (gateway/gps/osmand.ts). */
export const OSMAND_ERROR_KINDS = ['osmand_bad_request', 'osmand_missing_key', 'osmand_bad_key', 'osmand_forbidden', 'osmand_unknown_entry',
  'osmand_bad_position', 'osmand_rate_limited', 'osmand_unavailable'] as const;

/**
 * Spectators' bad frames (the protocol's error codes), riders' refused OsmAnd requests, the engine's bad view and
 * health messages, and bad fixes on `gps.>` (the live map).
 */
export const INPUT_ERROR_KINDS = [...ERROR_CODES, ...OSMAND_ERROR_KINDS, 'bad_view_message', 'bad_health_message', 'bad_gps_message'] as const;
export type InputErrorKind = (typeof INPUT_ERROR_KINDS)[number];

export interface GatewayMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  /** `frames` frames of `bytes` bytes in all went out (a frame written to n sockets counts n times). */
  framesSent(frames: number, bytes: number): void;
  inputError(kind: InputErrorKind): void;
  resync(): void;
  liveFeeds(count: number): void;
  /** Writing one turn's frames of a session to every socket following it took `seconds`. */
  fanOut(seconds: number): void;
  /** `frames` frames not written to sockets over the backpressure limit (each gets a snapshot when it drains). */
  framesDropped(frames: number): void;
  /** A spectator went over the backpressure limit and left fan-out. */
  slowSpectatorRemoved(): void;
  /** A slow spectator drained and was resynced with snapshots. */
  slowSpectatorResynced(): void;
  /** A slow spectator stayed over the limit too long and was disconnected. */
  slowSpectatorDisconnected(): void;
  /** Where the slow-spectator gauges read, at scrape time: how many are out of fan-out and the bytes queued for them. */
  slowSpectators(source: () => { count: number; bufferedBytes: number }): void;
  /** A rider's position was stored in EDGE (`via` the rider page's WebSocket or Traccar Client's OsmAnd). */
  gpsFix(via: 'ws' | 'osmand'): void;
  /** A fix on `gps.>` reached the live map of its sessions, or why not (`pitwall_gateway_map_fixes_total{outcome}`). */
  mapFix(outcome: FixOutcome): void;
  /** Where `pitwall_gateway_view_age_seconds` reads, at scrape time, when each followed session last changed. */
  viewAges(source: () => { track: string; session: string; ageMs: number }[]): void;
}

/** Returns the metric already in the registry (another service of the same process may share it), else a new one. */
function shared<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The gateway's metrics, registered in the given registry (never prom-client's global one). */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  const connections = new Gauge({ name: 'pitwall_gateway_connections', help: 'Open spectator WebSockets', registers });
  const frames = new Counter({ name: 'pitwall_gateway_frames_sent_total', help: 'Spectator frames sent (per receiver)', registers });
  const bytes = new Counter({ name: 'pitwall_gateway_bytes_sent_total', help: 'Spectator frame bytes sent (per receiver)', registers });
  const resyncs = new Counter({ name: 'pitwall_gateway_resyncs_total', help: 'Snapshots re-requested after a seq gap', registers });
  const feeds = new Gauge({ name: 'pitwall_gateway_sessions', help: 'Sessions with a materialised view in this gateway', registers });
  const inputErrors = shared(registry, 'pitwall_input_errors_total', () =>
    new Counter({ name: 'pitwall_input_errors_total', help: 'Bad input counted and skipped, by kind', labelNames: ['kind'], registers }));
  for (const kind of INPUT_ERROR_KINDS) inputErrors.inc({ kind }, 0); // every kind shows from the start, at 0
  const dropped = new Counter({ name: 'pitwall_gateway_frames_dropped_total', registers,
    help: 'Frames not written to a spectator over the backpressure limit (it gets a snapshot when it drains)' });
  const removed = new Counter({ name: 'pitwall_gateway_slow_spectators_removed_total', registers,
    help: 'Spectators that went over the backpressure limit and left fan-out' });
  const resynced = new Counter({ name: 'pitwall_gateway_slow_spectators_resynced_total', registers,
    help: 'Slow spectators that drained and were resynced with a snapshot' });
  const disconnected = new Counter({ name: 'pitwall_gateway_slow_spectators_disconnected_total', registers,
    help: 'Slow spectators disconnected for staying over the backpressure limit too long' });
  const fanOut = new Summary({ name: 'pitwall_gateway_fanout_seconds', registers, percentiles: [0.5, 0.99, 1],
    maxAgeSeconds: 600, ageBuckets: 5, help: 'Time to write the frames of one event-loop turn to every spectator of their session (last 10 min)' });
  const gpsFixes = new Counter({ name: 'pitwall_gateway_gps_fixes_total', help: 'Riders\' positions stored in EDGE, by rider endpoint',
    labelNames: ['via'], registers });
  for (const via of ['ws', 'osmand']) gpsFixes.inc({ via }, 0);
  let slow: () => { count: number; bufferedBytes: number } = () => ({ count: 0, bufferedBytes: 0 });
  new Gauge({ name: 'pitwall_gateway_slow_spectators', registers, help: 'Spectators out of fan-out, over the backpressure limit',
    collect() { this.set(slow().count); } });
  new Gauge({ name: 'pitwall_gateway_slow_spectators_buffered_bytes', registers,
    help: 'Bytes the gateway holds queued for slow spectators (at most the backpressure limit plus one frame each)',
    collect() { this.set(slow().bufferedBytes); } });
  const mapFixes = new Counter({ name: 'pitwall_gateway_map_fixes_total', labelNames: ['outcome'], registers,
    help: 'GPS fixes seen on gps.> by outcome: shown on the live map, no_live_session (of its event at its track), old (not newer than the rider\'s latest), too_many_riders' });
  let ages: () => { track: string; session: string; ageMs: number }[] = () => [];
  new Gauge({
    name: 'pitwall_gateway_view_age_seconds',
    help: 'Input lag per followed session: seconds since the engine last sent it a diff or snapshot',
    labelNames: ['track', 'session'],
    registers,
    collect() {
      this.reset(); // sessions no longer followed disappear
      for (const a of ages()) this.set({ track: a.track, session: a.session }, a.ageMs / 1000);
    },
  });
  return {
    connectionOpened: () => connections.inc(),
    connectionClosed: () => connections.dec(),
    framesSent: (n, total) => {
      if (n <= 0) return;
      frames.inc(n);
      bytes.inc(total);
    },
    inputError: (kind) => inputErrors.inc({ kind }),
    resync: () => resyncs.inc(),
    liveFeeds: (count) => feeds.set(count),
    fanOut: (seconds) => fanOut.observe(seconds),
    framesDropped: (n) => { if (n > 0) dropped.inc(n); },
    slowSpectatorRemoved: () => removed.inc(),
    slowSpectatorResynced: () => resynced.inc(),
    slowSpectatorDisconnected: () => disconnected.inc(),
    slowSpectators: (source) => { slow = source; },
    mapFix: (outcome) => mapFixes.inc({ outcome }),
    viewAges: (source) => { ages = source; },
    gpsFix: (via) => gpsFixes.inc({ via }),
  };
}

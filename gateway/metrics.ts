import { Counter, Gauge, type Registry } from 'prom-client';
import { ERROR_CODES, type ErrorCode } from './protocol.ts';

/** Spectators' bad frames (the protocol's error codes) and the engine's bad view and health messages. */
export const INPUT_ERROR_KINDS = [...ERROR_CODES, 'bad_view_message', 'bad_health_message'] as const;
export type InputErrorKind = (typeof INPUT_ERROR_KINDS)[number];

export interface GatewayMetrics {
  connectionOpened(): void;
  connectionClosed(): void;
  /** `frames` copies of a frame of `bytes` bytes went out (a topic publish counts once per subscriber). */
  framesSent(frames: number, bytes: number): void;
  inputError(kind: InputErrorKind): void;
  resync(): void;
  liveFeeds(count: number): void;
  /** A frame to one socket dropped because it was over the backpressure limit (the client resyncs). */
  frameDropped(): void;
  /** A topic publish that uWS reported as not delivered (subscribers skipped over backpressure). */
  publishIncomplete(): void;
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
    help: 'Frames to one socket dropped over the backpressure limit (topic fan-out skips show as client resyncs instead)' });
  const incomplete = new Counter({ name: 'pitwall_gateway_publish_incomplete_total', registers,
    help: 'Topic publishes uWS reported as not delivered (subscribers skipped over backpressure resync on the gap)' });
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
    framesSent: (n, size) => {
      if (n <= 0) return;
      frames.inc(n);
      bytes.inc(n * size);
    },
    inputError: (kind) => inputErrors.inc({ kind }),
    resync: () => resyncs.inc(),
    liveFeeds: (count) => feeds.set(count),
    frameDropped: () => dropped.inc(),
    publishIncomplete: () => incomplete.inc(),
    viewAges: (source) => { ages = source; },
  };
}

/** A position as a rider endpoint received it, before it becomes a GpsFix. */
export interface RiderPosition {
  /** When the phone took the fix: ms since the Unix epoch (may have a fraction). */
  atMs: number;
  lat: number;
  lon: number;
  /** Ground speed, m/s. */
  speedMps?: number;
  /** Horizontal accuracy (radius), metres. */
  accuracyM?: number;
}

/**
 * How far ahead of the gateway's clock a fix may be: a phone's GPS time is exact, but its system clock (what the
 * browser's geolocation stamps) may run a little fast. Past fixes have no such bound: Traccar Client sends the fixes it
 * buffered while offline, and `pitwall edge gps` replays recorded tracks with their own times.
 */
export const MAX_FUTURE_MS = 5 * 60_000;
/** Earlier than this is a broken clock (a GPS week rollover, seconds sent as milliseconds), not a fix. */
export const EARLIEST_FIX_MS = Date.UTC(2000, 0, 1);
/** Faster than this is no rider's ground speed (m/s; about 1800 km/h). */
const MAX_SPEED_MPS = 500;
const MAX_ACCURACY_M = 100_000;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Why a position is not acceptable (one precise sentence), or undefined. `nowMs` is the gateway's clock. */
export function positionProblem(p: RiderPosition, nowMs: number): string | undefined {
  if (!finite(p.lat) || p.lat < -90 || p.lat > 90) return `lat must be a number from -90 to 90, got ${String(p.lat)}`;
  if (!finite(p.lon) || p.lon < -180 || p.lon > 180) return `lon must be a number from -180 to 180, got ${String(p.lon)}`;
  if (!finite(p.atMs)) return `the fix time must be a number of ms since the epoch, got ${String(p.atMs)}`;
  if (p.atMs < EARLIEST_FIX_MS) return `the fix time ${new Date(p.atMs).toISOString()} is before 2000: the phone's clock is wrong`;
  if (p.atMs > nowMs + MAX_FUTURE_MS) {
    return `the fix time ${new Date(p.atMs).toISOString()} is more than ${MAX_FUTURE_MS / 60_000} min ahead of the gateway's clock (${new Date(nowMs).toISOString()})`;
  }
  if (p.speedMps !== undefined && (!finite(p.speedMps) || p.speedMps < 0 || p.speedMps > MAX_SPEED_MPS)) {
    return `speed must be from 0 to ${MAX_SPEED_MPS} m/s, got ${String(p.speedMps)}`;
  }
  if (p.accuracyM !== undefined && (!finite(p.accuracyM) || p.accuracyM < 0 || p.accuracyM > MAX_ACCURACY_M)) {
    return `accuracy must be from 0 to ${MAX_ACCURACY_M} m, got ${String(p.accuracyM)}`;
  }
  return undefined;
}

import type { ClickHouseHttp } from './http.ts';

/**
 * The lap store's DDL, in one place (a cluster variant with Replicated* + Distributed tables belongs here later).
 * Portable SQL for ClickHouse 18.16: times are UInt64 microseconds plus a DateTime for humans; no DateTime64.
 *
 * `laps` is a ReplacingMergeTree keyed by (track, event, session, car, lap) — event and session ids are unique only
 * within a track: a batch inserted twice (a retry after a lost acknowledgement) leaves one row per lap once merged —
 * analysts query with FINAL (docs/analytics.md). (A `laps` table created before the key included `track` keeps its
 * key: `CREATE TABLE IF NOT EXISTS` does not migrate.)
 */
export const LAPS_DDL = `
CREATE TABLE IF NOT EXISTS laps (
  track String,
  event String,
  session String,
  car String,
  class String,
  lap UInt32,
  lap_us UInt64,
  race_us UInt64,
  crossing_us UInt64,
  crossing_time DateTime,
  position UInt16,
  flag String,
  pit UInt8
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(crossing_time)
ORDER BY (track, event, session, car, lap)`;

/**
 * `race_events` archives every RACE event (inputs and derived laps) with its stream sequence as the key, so a session
 * can be rebuilt after the stream's max_age (`pitwall session rebuild … --from-archive`).
 */
export const RACE_EVENTS_DDL = `
CREATE TABLE IF NOT EXISTS race_events (
  stream_seq UInt64,
  track String,
  session String,
  kind String,
  at_us UInt64,
  time DateTime,
  payload String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(time)
ORDER BY stream_seq`;

/**
 * `positions` archives every GPS fix the gateway published (`gps.<track>.<device>` in EDGE), outliers included (the
 * tracker's verdict is not stored: it belongs to a session, and the sink reads EDGE, not the engine's trackers), so a
 * finished race can be replayed on the map and analysed. A fix inserted twice is one row with FINAL: the key is the
 * rider's device and the fix time.
 */
export const POSITIONS_DDL = `
CREATE TABLE IF NOT EXISTS positions (
  track String,
  event String,
  entry String,
  device String,
  at_us UInt64,
  time DateTime,
  lat Float64,
  lon Float64,
  speed Nullable(Float32),
  accuracy Nullable(Float32),
  via String,
  received_us UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (track, device, at_us)`;

export async function ensureSchema(ch: ClickHouseHttp): Promise<void> {
  await ch.exec(`CREATE DATABASE IF NOT EXISTS ${ch.config.database}`, { database: 'default' });
  await ch.exec(LAPS_DDL);
  await ch.exec(RACE_EVENTS_DDL);
  await ch.exec(POSITIONS_DDL);
}

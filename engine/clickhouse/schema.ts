import type { ClickHouseHttp } from './http.ts';

/**
 * The lap store's DDL, in one place (a cluster variant with Replicated* + Distributed tables belongs here later).
 * Portable SQL for ClickHouse 18.16: times are UInt64 microseconds plus a DateTime for humans; no DateTime64.
 *
 * `laps` is a ReplacingMergeTree keyed by (event, session, car, lap): a batch inserted twice (a retry after a lost
 * acknowledgement) leaves one row per lap once merged — analysts query with FINAL (docs/analysts.md).
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
ORDER BY (event, session, car, lap)`;

export async function ensureSchema(ch: ClickHouseHttp): Promise<void> {
  await ch.exec(`CREATE DATABASE IF NOT EXISTS ${ch.config.database}`, { database: 'default' });
  await ch.exec(LAPS_DDL);
}

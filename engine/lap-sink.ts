import type { LapEvent } from '../actors/contracts/events.ts';
import { startBatchSink, type BatchSink, type SinkDeps } from './batch-sink.ts';

/** The lap sink: completed laps (`timing.*.*.lap` in RACE) into ClickHouse `laps`, one row per lap (FINAL). */
export const LAP_SINK_CONSUMER = 'lap-sink';

export const lapRow = (lap: LapEvent) => ({
  track: lap.track,
  event: lap.event,
  session: lap.session,
  car: lap.car,
  class: lap.class,
  lap: lap.lap,
  lap_us: lap.lapUs,
  race_us: lap.raceUs,
  crossing_us: lap.atUs,
  crossing_time: clickhouseDateTime(lap.atUs),
  position: lap.position,
  flag: lap.flag,
  pit: lap.pit ? 1 : 0,
});

/** ClickHouse DateTime text (UTC, to the second) of a µs timestamp. */
export const clickhouseDateTime = (atUs: number) => new Date(Math.floor(atUs / 1000)).toISOString().slice(0, 19).replace('T', ' ');

export function startLapSink(
  deps: SinkDeps,
  opts: { batch?: number; maxWaitMs?: number } = {},
): Promise<BatchSink> {
  return startBatchSink(deps, {
    ...opts,
    stream: 'RACE',
    consumer: LAP_SINK_CONSUMER,
    filterSubject: 'timing.*.*.lap',
    table: 'laps',
    toRow: (msg) => lapRow(msg.json<LapEvent>()),
  });
}

import { startBatchSink, type BatchSink, type SinkDeps } from '../batch-sink.ts';
import { clickhouseDateTime } from '../lap-sink.ts';
import { readFixMessage } from './fix-message.ts';

/**
 * The positions sink: every fix in EDGE (`gps.>`) into ClickHouse `positions` (engine/clickhouse/schema.ts), in
 * batches, acknowledged once ClickHouse took them. A malformed message is counted (`bad_positions_message`) and
 * skipped.
 */
export const POSITIONS_SINK_CONSUMER = 'positions-sink';

export function startPositionsSink(deps: SinkDeps, opts: { batch?: number; maxWaitMs?: number } = {}): Promise<BatchSink> {
  return startBatchSink(deps, {
    ...opts,
    stream: 'EDGE',
    consumer: POSITIONS_SINK_CONSUMER,
    filterSubject: 'gps.>',
    table: 'positions',
    toRow(msg) {
      const read = readFixMessage(msg.subject, msg.string());
      if (!read.ok) return undefined;
      const { track, fix } = read;
      return {
        track,
        event: fix.entry.event,
        entry: fix.entry.number,
        device: fix.device,
        at_us: fix.atUs,
        time: clickhouseDateTime(fix.atUs),
        lat: fix.lat,
        lon: fix.lon,
        speed: fix.speedMps ?? null,
        accuracy: fix.accuracyM ?? null,
        via: fix.via,
        received_us: fix.receivedAtUs,
      };
    },
  });
}

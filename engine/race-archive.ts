import type { SessionInput } from '../actors/contracts/events.ts';
import { parseTimingSubject } from '../actors/contracts/subjects.ts';
import { startBatchSink, type BatchSink, type SinkDeps } from './batch-sink.ts';
import { quote, type ClickHouseHttp } from './clickhouse/http.ts';
import { clickhouseDateTime } from './lap-sink.ts';
import { fencedInputs } from './ownership/fence.ts';

/**
 * Every RACE event archived to ClickHouse `race_events` (key: the stream sequence, so a re-insert is idempotent), so
 * a session can be replayed after the stream's max_age has removed it.
 */
export const RACE_ARCHIVE_CONSUMER = 'race-archive';

export function startRaceArchive(
  deps: SinkDeps,
  opts: { batch?: number; maxWaitMs?: number } = {},
): Promise<BatchSink> {
  return startBatchSink(deps, {
    ...opts,
    stream: 'RACE',
    consumer: RACE_ARCHIVE_CONSUMER,
    filterSubject: 'timing.>',
    table: 'race_events',
    toRow(msg) {
      const parsed = parseTimingSubject(msg.subject);
      const payload = msg.string();
      const atUs = (JSON.parse(payload) as { atUs?: number }).atUs;
      if (!parsed || typeof atUs !== 'number') return undefined;
      return {
        stream_seq: msg.seq,
        track: parsed.track,
        session: parsed.session,
        kind: parsed.kind,
        at_us: atUs,
        time: clickhouseDateTime(atUs),
        payload,
      };
    },
  });
}

/** A session's archived inputs in stream order, as the engine folds them: laps and stale owners' writes left out. */
export async function readArchivedInputs(ch: ClickHouseHttp, track: string, session: string): Promise<SessionInput[]> {
  const rows = await ch.rows<{ kind: string; payload: string }>(
    `SELECT kind, payload FROM race_events FINAL WHERE track = ${quote(track)} AND session = ${quote(session)} AND kind != 'lap' ORDER BY stream_seq`,
  );
  return fencedInputs(rows.map((r) => ({ kind: r.kind, payload: JSON.parse(r.payload) as unknown }))).inputs;
}

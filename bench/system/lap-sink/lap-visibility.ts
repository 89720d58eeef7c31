import type { ClickHouseHttp } from '../../../engine/clickhouse/http.ts';
import { quote } from '../../../engine/clickhouse/http.ts';
import { wallUs } from '../../fanout/clock.ts';

/**
 * When each lap of a session becomes queryable in ClickHouse: polls `SELECT car, lap FROM laps WHERE session = …`
 * (at most a start's 100 rows, one small part each time) every `everyMs` until `expected` laps were seen or
 * `timeoutMs` passed. A lap's time is the end of the first poll that returned it, so it is late by at most one
 * poll interval plus the poll's own duration (both reported).
 */
export interface Visibility {
  /** `session/car/lap` → wall µs of the poll that first returned it. */
  seenUs: Record<string, number>;
  polls: number;
  meanPollMs: number;
}

export async function watchLaps(ch: ClickHouseHttp, session: string, expected: number, opts: { everyMs: number; timeoutMs: number }): Promise<Visibility> {
  const seenUs: Record<string, number> = {};
  let seen = 0;
  let polls = 0;
  let pollingMs = 0;
  const until = Date.now() + opts.timeoutMs;
  while (seen < expected && Date.now() < until) {
    const t0 = performance.now();
    const rows = await ch.rows<{ car: string; lap: number }>(`SELECT car, lap FROM laps WHERE session = ${quote(session)}`);
    const at = wallUs();
    pollingMs += performance.now() - t0;
    polls += 1;
    for (const r of rows) {
      const key = `${session}/${r.car}/${r.lap}`;
      if (seenUs[key] === undefined) {
        seenUs[key] = at;
        seen += 1;
      }
    }
    await new Promise((r) => setTimeout(r, opts.everyMs));
  }
  return { seenUs, polls, meanPollMs: polls ? pollingMs / polls : 0 };
}

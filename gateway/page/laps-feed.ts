import type { LapRecord } from './charts/race-series.ts';

/**
 * A car's laps from `GET /api/sessions/{track}/{session}/cars/{car}/laps` (ClickHouse). The lap sink writes a lap
 * about a second after the live view shows it, so a reader that expects `count` laps asks again until they are in.
 */
export type LapsRead = { ok: true; laps: LapRecord[] } | { ok: false; status: number; message: string };

export async function fetchLaps(ref: { track: string; session: string }, car: string): Promise<LapsRead> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(ref.track)}/${encodeURIComponent(ref.session)}/cars/${encodeURIComponent(car)}/laps`);
  const body = (await response.json()) as { laps?: LapRecord[]; error?: { message: string } };
  return response.ok && body.laps ? { ok: true, laps: body.laps } : { ok: false, status: response.status, message: body.error?.message ?? response.statusText };
}

const RETRY_MS = 1000;

/**
 * Follows one car's laps as the live view counts them: `want(n)` when the view says the car has completed n laps;
 * `onLaps` gets the whole list each time it grew. One request at a time; a 503 (no lap store) stops it for good.
 */
export function createLapFollower(ref: { track: string; session: string }, car: string,
  on: { laps(laps: LapRecord[]): void; error(message: string): void }) {
  let wanted = 0;
  let have = -1;
  let busy = false;
  let stopped = false;
  const load = async () => {
    if (busy || stopped || have >= wanted) return;
    busy = true;
    try {
      const read = await fetchLaps(ref, car);
      if (!read.ok) {
        on.error(read.message);
        if (read.status === 503 || read.status === 401 || read.status === 403) stopped = true;
      } else if (read.laps.length !== have) {
        have = read.laps.length;
        on.laps(read.laps);
      }
    } catch (error) {
      on.error((error as Error).message);
    } finally {
      busy = false;
    }
    if (!stopped && have < wanted) setTimeout(() => void load(), RETRY_MS);
  };
  return {
    want(count: number) {
      wanted = count;
      void load();
    },
  };
}

import { playPaced, type PaceDeps, type Paced, type Speed } from '../pace.ts';
import type { GpxPoint } from './gpx.ts';
import { RiderRefusedError, type RiderSender } from './rider-senders.ts';

export interface ReplayRider {
  number: string;
  points: GpxPoint[];
  sender: RiderSender;
}

export interface GpxReplaySummary {
  /** Fixes the gateway stored, by entry number. */
  stored: Record<string, number>;
  /** Fixes the gateway refused, by entry number, and the first reasons. */
  refused: Record<string, number>;
  reasons: string[];
}

/**
 * The shift that brings recorded tracks to the present (`--now`): at speed ≤ 1 the times run with the clock and the
 * first fix is now; faster, they would run ahead of it (and the gateway refuses fixes from the future), so the last
 * fix is now instead.
 */
export function shiftToNowMs(tracks: GpxPoint[][], speed: Speed, nowMs: number): number {
  const all = tracks.flat().map((p) => p.atMs);
  return nowMs - (speed !== 'max' && speed <= 1 ? Math.min(...all) : Math.max(...all));
}

/**
 * Plays several riders' GPX tracks together, in the order of their times, at `speed` (the first fix at once): each
 * fix goes through its rider's sender and waits for the gateway's answer before the next. `shiftMs` moves every time
 * by the same amount (`--now`), so crossings stay where the tracks put them. A refused fix is counted and the replay
 * goes on; once a rider's credential is refused (a revoked key, a token for another entry) its later fixes are
 * counted as refused without being sent. A lost connection ends the replay (the error rejects `done`).
 */
export function replayGpx(deps: PaceDeps & { log: (line: string) => void }, riders: ReplayRider[], opts: { speed: Speed; shiftMs: number }):
  Paced & { summary: Promise<GpxReplaySummary> } {
  const items = riders.flatMap((rider) => rider.points.map((point) => ({ rider, point: { ...point, atMs: point.atMs + opts.shiftMs } })))
    .map((item) => ({ ...item, atUs: item.point.atMs * 1000 }))
    .sort((a, b) => a.atUs - b.atUs);
  const stored: Record<string, number> = Object.fromEntries(riders.map((r) => [r.number, 0]));
  const refused: Record<string, number> = Object.fromEntries(riders.map((r) => [r.number, 0]));
  const reasons: string[] = [];
  const barred = new Set<string>();
  const paced = playPaced(deps, items, opts.speed, async ({ rider, point }) => {
    if (barred.has(rider.number)) {
      refused[rider.number]!++;
      return;
    }
    try {
      await rider.sender.send(point);
      stored[rider.number]!++;
    } catch (error) {
      if (!(error instanceof RiderRefusedError)) throw error;
      refused[rider.number]!++;
      if (error.credential) barred.add(rider.number);
      if (reasons.length < 10) {
        reasons.push(`#${rider.number} at ${new Date(point.atMs).toISOString()}: ${error.message}`);
        deps.log(`edge gps: #${rider.number}: refused: ${error.message}`);
      }
    }
  });
  return { ...paced, summary: paced.done.then(() => ({ stored, refused, reasons })) };
}

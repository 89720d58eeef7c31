import type { TrailPoint } from '../protocol.ts';

/**
 * A rider's trail on the live map: earlier positions, oldest first, at most one every `stepMs` (of fix time) and
 * none older than `trailMs` before the rider's latest fix. The gateway keeps trails for late joiners; the client
 * library grows its own from the frames it gets, with the same rule and a finer step. Browser-safe.
 */
export interface TrailOptions {
  trailMs: number;
  stepMs: number;
}

/** The gateway's: two minutes, a point every 5 s, 25 points a rider at most (about 700 bytes in a full frame). */
export const TRAIL: TrailOptions = { trailMs: 120_000, stepMs: 5_000 };

/** The client's, grown from live frames: a point a second, so that a trail follows a rider round a mark. */
export const CLIENT_TRAIL: TrailOptions = { trailMs: 120_000, stepMs: 1_000 };

/**
 * The rider moved on from `previous` (its position until now) to a fix at `latestAtUs`: `previous` joins the trail
 * if it is at least `stepMs` after the trail's last point, and points older than `trailMs` before `latestAtUs`
 * leave it. Changes `trail` in place; at most trailMs / stepMs + 1 points stay.
 */
export function extendTrail(trail: TrailPoint[], previous: TrailPoint, latestAtUs: number, opts: TrailOptions = TRAIL): void {
  const last = trail.at(-1);
  if (!last || previous[0] - last[0] >= opts.stepMs * 1000) trail.push(previous);
  const oldest = latestAtUs - opts.trailMs * 1000;
  let drop = 0;
  while (drop < trail.length && trail[drop]![0] < oldest) drop += 1;
  if (drop > 0) trail.splice(0, drop);
}

import { distanceM, type LatLon } from './local-plane.ts';
import { crossLine, type VirtualLine } from './virtual-line.ts';

/**
 * One rider's path, fix by fix: which fixes to believe, and the crossings of the virtual lines they make.
 *
 * Order: a fix at the time of the last accepted one is a duplicate, an earlier one is old (phones re-send buffered
 * fixes); both are dropped. A fix the rider could not have reached from the last accepted fix without going faster
 * than `maxSpeedMps` is an outlier (a multipath spike, a cell-tower fix): dropped, and it makes no crossing. The
 * implied speed is distance over time since the last accepted fix, so after a long gap (tunnel, phone asleep) a far
 * fix is accepted when the gap makes the distance plausible.
 *
 * A real jump (the first fix was the wrong one, the phone travelled in a car) would make every later fix an outlier.
 * So outliers are kept as candidates while each is plausible from the previous candidate; `reanchorAfter` (3)
 * consistent candidates in a row say the rider is really there: the tracker re-anchors on them and looks for
 * crossings along them, but not across the jump, a path nobody saw. One plausible fix from the anchor ends the
 * candidates (a spike was one).
 *
 * Crossings: each segment between consecutive accepted fixes against each line (virtual-line.ts), the time
 * interpolated linearly along the segment, `precisionUs` the segment's fix interval (the crossing lies within it;
 * constant speed between fixes is an assumption). GPS noise makes a rider standing on a line cross it back and
 * forth: a crossing of a line within `jitterUs` (5 s) of the previous crossing of that line is dropped as jitter;
 * double reads further apart are the session's minimum lap's business (actors/scoring/passing.ts).
 */
export interface TrackedFix extends LatLon {
  atUs: number;
}

export interface GpsCrossing {
  line: string;
  kind: VirtualLine['kind'];
  /** The interpolated crossing time, µs. */
  atUs: number;
  /** The interval of the two fixes around the crossing. */
  precisionUs: number;
  direction: 1 | -1;
  /** The fix that closed the segment: identifies the crossing (a redelivered fix finds the same one again). */
  closedAtUs: number;
}

export type FixVerdict = 'accepted' | 'duplicate' | 'old' | 'outlier' | 'reanchored';

export interface TrackResult {
  verdict: FixVerdict;
  crossings: GpsCrossing[];
  /** Crossings dropped as jitter. */
  jitter: number;
}

export interface RiderTracker {
  add(fix: TrackedFix): TrackResult;
}

export interface RiderTrackerOptions {
  lines: readonly VirtualLine[];
  maxSpeedMps: number;
  /** Consistent outliers in a row after which the rider is taken to be there (default 3). */
  reanchorAfter?: number;
  /** A line crossed again within this time is jitter (default 5 s). */
  jitterUs?: number;
}

/** The declaration's default outlier speed (`gps.maxSpeedMps`): 144 km/h, above any rider, boat or runner. */
export const DEFAULT_MAX_SPEED_MPS = 40;

export function createRiderTracker(opts: RiderTrackerOptions): RiderTracker {
  const reanchorAfter = opts.reanchorAfter ?? 3;
  const jitterUs = opts.jitterUs ?? 5_000_000;
  const plausible = (from: TrackedFix, to: TrackedFix) => distanceM(from, to) <= opts.maxSpeedMps * ((to.atUs - from.atUs) / 1e6);
  let last: TrackedFix | undefined;
  let candidates: TrackedFix[] = [];
  const lastCrossingUs = new Map<string, number>(); // line id → time of its last crossing (kept or jitter)

  function crossings(from: TrackedFix, to: TrackedFix): { crossings: GpsCrossing[]; jitter: number } {
    const found: GpsCrossing[] = [];
    let jitter = 0;
    for (const line of opts.lines) {
      const c = crossLine(line, from, to);
      if (!c) continue;
      const atUs = Math.round(from.atUs + c.t * (to.atUs - from.atUs));
      const previous = lastCrossingUs.get(line.id);
      lastCrossingUs.set(line.id, atUs);
      if (previous !== undefined && atUs - previous < jitterUs) {
        jitter++;
        continue;
      }
      found.push({ line: line.id, kind: line.kind, atUs, precisionUs: to.atUs - from.atUs, direction: c.direction, closedAtUs: to.atUs });
    }
    return { crossings: found.sort((a, b) => a.atUs - b.atUs), jitter };
  }

  return {
    add(fix) {
      if (!last) {
        last = fix;
        return { verdict: 'accepted', crossings: [], jitter: 0 };
      }
      if (fix.atUs === last.atUs) return { verdict: 'duplicate', crossings: [], jitter: 0 };
      if (fix.atUs < last.atUs) return { verdict: 'old', crossings: [], jitter: 0 };
      if (plausible(last, fix)) {
        const found = crossings(last, fix);
        last = fix;
        candidates = [];
        return { verdict: 'accepted', ...found };
      }
      const latest = candidates.at(-1);
      candidates = latest && fix.atUs > latest.atUs && plausible(latest, fix) ? [...candidates, fix] : [fix];
      if (candidates.length < reanchorAfter) return { verdict: 'outlier', crossings: [], jitter: 0 };
      const along = candidates.slice(1).map((to, i) => crossings(candidates[i]!, to));
      last = fix;
      candidates = [];
      return { verdict: 'reanchored', crossings: along.flatMap((a) => a.crossings), jitter: along.reduce((n, a) => n + a.jitter, 0) };
    },
  };
}

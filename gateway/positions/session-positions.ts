import type { RiderPosition, TrailPoint } from '../protocol.ts';
import { extendTrail, TRAIL, type TrailOptions } from './trail.ts';

/** A fix as the map needs it: whose, when, where. */
export type PositionFix = Omit<RiderPosition, 'ageMs' | 'trail'>;

export interface SessionPositions {
  /**
   * Takes a fix received at `receivedAtMs` (this gateway's clock). `old`: not newer than the rider's latest (a
   * phone's re-sent fix, or one overtaken), ignored; `full`: a new rider past `maxRiders`, ignored.
   */
  add(fix: PositionFix, receivedAtMs: number): 'shown' | 'old' | 'full';
  /** The riders with a new fix since the last call (latest fix each), and forgets that they changed. */
  takeChanged(nowMs: number): RiderPosition[];
  /** Every rider with its trail, for a late joiner. */
  all(nowMs: number): RiderPosition[];
  readonly size: number;
}

interface Rider {
  fix: PositionFix;
  receivedAtMs: number;
  trail: TrailPoint[];
}

/**
 * One session's riders on the live map, in the gateway: each rider's latest fix and trail, and which riders moved
 * since the last frame (so a frame carries each rider once, however many fixes came in between). Memory is bounded:
 * `maxRiders` riders (a fix names a declared entry, so the entries bound it anyway) × the trail's points.
 */
export function createSessionPositions(opts: { maxRiders: number; trail?: TrailOptions }): SessionPositions {
  const riders = new Map<string, Rider>();
  const changed = new Set<string>();
  const position = (r: Rider, nowMs: number): RiderPosition => ({ ...r.fix, ageMs: Math.max(0, nowMs - r.receivedAtMs) });

  return {
    add(fix, receivedAtMs) {
      const rider = riders.get(fix.number);
      if (!rider) {
        if (riders.size >= opts.maxRiders) return 'full';
        riders.set(fix.number, { fix, receivedAtMs, trail: [] });
      } else {
        if (fix.atUs <= rider.fix.atUs) return 'old';
        extendTrail(rider.trail, [rider.fix.atUs, rider.fix.lat, rider.fix.lon], fix.atUs, opts.trail ?? TRAIL);
        Object.assign(rider, { fix, receivedAtMs });
      }
      changed.add(fix.number);
      return 'shown';
    },
    takeChanged(nowMs) {
      const out = [...changed].map((number) => position(riders.get(number)!, nowMs));
      changed.clear();
      return out;
    },
    all: (nowMs) => [...riders.values()].map((r) => ({ ...position(r, nowMs), trail: [...r.trail] })),
    get size() {
      return riders.size;
    },
  };
}

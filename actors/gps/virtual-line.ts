import type { TimingLineDeclaration } from '../contracts/declaration.ts';
import { localPlane, type LatLon, type LocalPlane, type PlanePoint } from './local-plane.ts';

/**
 * A GPS virtual line (a declared timing line with two [lat, lon] points) and where a rider's path crosses it.
 *
 * The path between two consecutive fixes is taken as a straight segment at constant speed. The crossing is the
 * parametric intersection of that segment with the line segment, in a tangent plane around the line's midpoint:
 * P + t·(Q − P) = A + u·(B − A) with t in (0, 1] along the fixes and u in [0, 1] along the line. So a crossing is
 * found however far apart the fixes are, and a path that passes beside one of the line's ends does not cross it.
 * t = 0 is left out so that a fix lying exactly on the line gives one crossing (arriving at it), not two.
 */
export interface VirtualLine {
  id: string;
  kind: TimingLineDeclaration['kind'];
  plane: LocalPlane;
  a: PlanePoint;
  b: PlanePoint;
}

export interface LineCrossingPoint {
  /** Fraction of the way from the first fix to the second (0 < t ≤ 1): the crossing time interpolates with it. */
  t: number;
  /** Fraction of the way from the line's first point to its second (0 ≤ u ≤ 1). */
  u: number;
  /** +1 when the path crosses from the left of A→B (looking from A towards B) to its right, −1 the other way. */
  direction: 1 | -1;
}

/** The GPS lines of a declaration (timing lines that have two points). */
export function virtualLines(lines: readonly TimingLineDeclaration[] | undefined): VirtualLine[] {
  return (lines ?? []).flatMap((l) => {
    if (!l.points) return [];
    const [[lat1, lon1], [lat2, lon2]] = l.points;
    const plane = localPlane({ lat: (lat1 + lat2) / 2, lon: (lon1 + lon2) / 2 });
    return [{ id: l.id, kind: l.kind, plane, a: plane.toPlane({ lat: lat1, lon: lon1 }), b: plane.toPlane({ lat: lat2, lon: lon2 }) }];
  });
}

const cross = (p: PlanePoint, q: PlanePoint) => p.x * q.y - p.y * q.x;

/** Where the segment from `from` to `to` crosses `line`, or undefined when it does not. */
export function crossLine(line: VirtualLine, from: LatLon, to: LatLon): LineCrossingPoint | undefined {
  const p = line.plane.toPlane(from);
  const q = line.plane.toPlane(to);
  const r = { x: q.x - p.x, y: q.y - p.y };
  const s = { x: line.b.x - line.a.x, y: line.b.y - line.a.y };
  const denom = cross(r, s);
  if (denom === 0) return undefined; // parallel (or no movement): no single crossing point
  const ap = { x: line.a.x - p.x, y: line.a.y - p.y };
  const t = cross(ap, s) / denom;
  const u = cross(ap, r) / denom;
  if (!(t > 0 && t <= 1 && u >= 0 && u <= 1)) return undefined;
  return { t, u, direction: denom > 0 ? 1 : -1 };
}

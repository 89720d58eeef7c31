/**
 * The live map's projection: equirectangular around a centre, in metres (x east, y south, as SVG's y grows down).
 * Over a course of a few kilometres it keeps distances and angles to well under a percent, and needs no tiles.
 */

export interface LatLon {
  lat: number;
  lon: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The mean Earth radius (IUGG), m. */
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** lat/lon → metres from `centre`: x east, y south. */
export function createProjection(centre: LatLon): (p: LatLon) => Point {
  const kx = EARTH_RADIUS_M * RAD * Math.cos(centre.lat * RAD);
  const ky = EARTH_RADIUS_M * RAD;
  return (p) => ({ x: (p.lon - centre.lon) * kx, y: (centre.lat - p.lat) * ky });
}

/** The middle of the points' bounding box (the course's centre); undefined for none. */
export function centreOf(points: LatLon[]): LatLon | undefined {
  if (points.length === 0) return undefined;
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  return { lat: (Math.min(...lats) + Math.max(...lats)) / 2, lon: (Math.min(...lons) + Math.max(...lons)) / 2 };
}

/**
 * The box that shows every point with a margin of `padding` (a share of the larger side) around them, at least
 * `minSizeM` wide and high (a lone rider is not a point-sized map). As an SVG viewBox with the default
 * preserveAspectRatio (xMidYMid meet), it fits the screen with the aspect kept.
 */
export function fitBox(points: Point[], opts: { padding: number; minSizeM: number }): Box {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = points.length ? [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] : [0, 0, 0, 0];
  const width = Math.max(maxX - minX, opts.minSizeM);
  const height = Math.max(maxY - minY, opts.minSizeM);
  const margin = Math.max(width, height) * opts.padding;
  return {
    x: (minX + maxX) / 2 - width / 2 - margin,
    y: (minY + maxY) / 2 - height / 2 - margin,
    width: width + 2 * margin,
    height: height + 2 * margin,
  };
}

/** Whether `box` holds every point. */
export const boxHolds = (box: Box, points: Point[]) =>
  points.every((p) => p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height);

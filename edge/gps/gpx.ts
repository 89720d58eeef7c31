/** One track point of a GPX file. */
export interface GpxPoint {
  /** Its `<time>`, ms since the epoch. */
  atMs: number;
  lat: number;
  lon: number;
}

export interface GpxTrack {
  /** The track's points with a time, in file order. */
  points: GpxPoint[];
  /** Points left out, with why (no time, a coordinate that is not a number), by 1-based point index. */
  skipped: { point: number; problem: string }[];
}

const TRKPT = /<trkpt\b([^>]*?)(\/>|>([\s\S]*?)<\/trkpt>)/g;
const attribute = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(attrs)?.[1];

/**
 * The timed points of a GPX 1.0/1.1 file's tracks (`<trkpt lat lon><time>…</time></trkpt>`, any segment). Routes and
 * waypoints are not tracks and are ignored. Not a general XML parser: GPX track points are this regular, and a
 * point that is not is reported in `skipped`, never guessed.
 */
export function parseGpx(text: string): GpxTrack {
  const points: GpxPoint[] = [];
  const skipped: GpxTrack['skipped'] = [];
  let index = 0;
  for (const match of text.matchAll(TRKPT)) {
    index++;
    const attrs = match[1] ?? '';
    const body = match[3] ?? '';
    const lat = Number(attribute(attrs, 'lat'));
    const lon = Number(attribute(attrs, 'lon'));
    const time = /<time>\s*([^<]+?)\s*<\/time>/.exec(body)?.[1];
    const atMs = time === undefined ? Number.NaN : Date.parse(time);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      skipped.push({ point: index, problem: `lat/lon not coordinates: ${JSON.stringify(attrs.trim()).slice(0, 80)}` });
    } else if (!Number.isFinite(atMs)) {
      skipped.push({ point: index, problem: time === undefined ? 'no <time>' : `time ${JSON.stringify(time)} is not ISO 8601` });
    } else {
      points.push({ atMs, lat, lon });
    }
  }
  return { points, skipped };
}

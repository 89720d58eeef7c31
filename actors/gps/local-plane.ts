/**
 * A local tangent plane (east/north, metres) around an origin: accurate to centimetres over a few kilometres, which
 * is all a course needs. WGS84 radii of curvature at the origin's latitude: the meridian's (north) and the prime
 * vertical's (east).
 */
export interface LatLon {
  lat: number;
  lon: number;
}

export interface PlanePoint {
  /** Metres east of the origin. */
  x: number;
  /** Metres north of the origin. */
  y: number;
}

const A = 6_378_137; // WGS84 semi-major axis, m
const E2 = 6.694_379_990_14e-3; // WGS84 first eccentricity squared
const RAD = Math.PI / 180;

export interface LocalPlane {
  origin: LatLon;
  toPlane(p: LatLon): PlanePoint;
  fromPlane(p: PlanePoint): LatLon;
}

export function localPlane(origin: LatLon): LocalPlane {
  const sin = Math.sin(origin.lat * RAD);
  const w = 1 - E2 * sin * sin;
  const north = (A * (1 - E2)) / w ** 1.5; // metres per radian of latitude
  const east = (A / Math.sqrt(w)) * Math.cos(origin.lat * RAD); // metres per radian of longitude
  return {
    origin,
    toPlane: (p) => ({ x: (p.lon - origin.lon) * RAD * east, y: (p.lat - origin.lat) * RAD * north }),
    fromPlane: (p) => ({ lat: origin.lat + p.y / north / RAD, lon: origin.lon + p.x / east / RAD }),
  };
}

/** Metres between two points (haversine on a sphere of the WGS84 mean radius): for speeds, not for crossings. */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

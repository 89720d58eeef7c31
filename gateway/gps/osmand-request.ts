import type { RiderPosition } from './position-check.ts';

/**
 * The OsmAnd protocol as Traccar Client and OsmAnd send it (checked against Traccar's own OsmAndProtocolDecoder):
 *
 * - Query form (Traccar Client up to v8, OsmAnd): `?id=KEY&timestamp=…&lat=…&lon=…&speed=…&bearing=…&altitude=…
 *   &accuracy=…&batt=…`, on GET or on a POST with an empty body; the same fields may come as a form-encoded body.
 *   `id` (or `deviceid`) is the device identifier; `timestamp` is Unix seconds (milliseconds when above 2^31, as
 *   Traccar reads it), an ISO 8601 time, or `yyyy-MM-dd HH:mm:ss` (UTC); `location=lat,lon` may replace lat and lon;
 *   **`speed` is in knots** (Traccar Client converts the phone's m/s); `accuracy` in metres.
 * - JSON form (Traccar Client v9 on): a POST body `{"device_id": KEY, "location": {"timestamp": ISO 8601,
 *   "coords": {"latitude", "longitude", "speed" (m/s), "accuracy", "heading", "altitude"}, …}}`; `location` may be a
 *   list of such (a batch sent after being offline). A negative speed or accuracy means "unknown".
 *
 * Fields Pitwall has no use for (bearing, altitude, battery, …) are ignored. Without a timestamp the fix is stamped
 * with the time the gateway received it, as Traccar does.
 */
export type OsmAndRequest = { ok: true; deviceKey?: string; positions: RiderPosition[] } | { ok: false; message: string };

const KNOT_MPS = 1852 / 3600;
/** Traccar's rule: a numeric timestamp below 2^31 is seconds, above it milliseconds. */
const SECONDS_BELOW = 2 ** 31;

class Malformed extends Error {}

const number = (name: string, text: string): number => {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new Malformed(`${name} is not a number: ${JSON.stringify(text.slice(0, 40))}`);
  return value;
};

/** A negative speed or accuracy is "unknown" (Android's and the JSON form's convention), not an error. */
const known = (value: number | undefined) => (value === undefined || value < 0 ? undefined : value);

function timeMs(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < SECONDS_BELOW ? n * 1000 : n;
  }
  const iso = text.includes('T') ? text : /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : '';
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) throw new Malformed(`timestamp is neither Unix seconds, milliseconds nor an ISO 8601 time: ${JSON.stringify(text.slice(0, 40))}`);
  return ms;
}

function fromParams(params: URLSearchParams, nowMs: number): OsmAndRequest {
  const get = (name: string) => params.get(name) ?? undefined;
  const deviceKey = get('id') ?? get('deviceid');
  const location = get('location')?.split(',');
  const latText = location?.[0] ?? get('lat');
  const lonText = location?.[1] ?? get('lon');
  if (latText === undefined || lonText === undefined) return { ok: false, message: 'lat and lon (or location=lat,lon) are required' };
  const timestamp = get('timestamp');
  const speed = get('speed');
  const accuracy = get('accuracy');
  const position: RiderPosition = {
    atMs: timestamp === undefined ? nowMs : timeMs(timestamp),
    lat: number('lat', latText),
    lon: number('lon', lonText),
  };
  const speedKn = known(speed === undefined ? undefined : number('speed', speed));
  const accuracyM = known(accuracy === undefined ? undefined : number('accuracy', accuracy));
  return {
    ok: true, ...(deviceKey !== undefined && { deviceKey }),
    positions: [{ ...position, ...(speedKn !== undefined && { speedMps: speedKn * KNOT_MPS }), ...(accuracyM !== undefined && { accuracyM }) }],
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonNumber(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return number(name, value);
  throw new Malformed(`${name} must be a number, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

function fromJson(body: unknown, nowMs: number): OsmAndRequest {
  if (!isRecord(body)) return { ok: false, message: 'the JSON body must be an object with device_id and location' };
  const deviceKey = typeof body.device_id === 'string' ? body.device_id : undefined;
  const locations = Array.isArray(body.location) ? body.location : [body.location];
  if (locations.length === 0) return { ok: false, message: 'location is an empty list' };
  const positions = locations.map((location, i): RiderPosition => {
    const at = locations.length > 1 ? `location[${i}]` : 'location';
    if (!isRecord(location) || !isRecord(location.coords)) throw new Malformed(`${at}.coords is required`);
    const { coords } = location;
    const speed = known(coords.speed === undefined ? undefined : jsonNumber(`${at}.coords.speed`, coords.speed));
    const accuracy = known(coords.accuracy === undefined ? undefined : jsonNumber(`${at}.coords.accuracy`, coords.accuracy));
    return {
      atMs: location.timestamp === undefined ? nowMs : timeMs(String(location.timestamp)),
      lat: jsonNumber(`${at}.coords.latitude`, coords.latitude),
      lon: jsonNumber(`${at}.coords.longitude`, coords.longitude),
      ...(speed !== undefined && { speedMps: speed }),
      ...(accuracy !== undefined && { accuracyM: accuracy }),
    };
  });
  return { ok: true, ...(deviceKey !== undefined && { deviceKey }), positions };
}

/** Reads one OsmAnd request (its query string and body); `nowMs` stamps a fix sent without a time. Never throws. */
export function parseOsmAndRequest(query: URLSearchParams, body: string, nowMs: number): OsmAndRequest {
  try {
    const text = body.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        return { ok: false, message: `the body is not valid JSON: ${(error as Error).message}` };
      }
      const parsed = fromJson(json, nowMs);
      const queryKey = query.get('id') ?? query.get('deviceid');
      return parsed.ok && parsed.deviceKey === undefined && queryKey !== null ? { ...parsed, deviceKey: queryKey } : parsed;
    }
    // Traccar reads the query string, and the body only when the query has no parameters.
    return fromParams([...query.keys()].length > 0 ? query : new URLSearchParams(text), nowMs);
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, message: error.message };
    throw error;
  }
}

import t from 'tap';
import { parseOsmAndRequest } from './osmand-request.ts';

// What Traccar Client and OsmAnd send (Traccar's OsmAndProtocolDecoder reads the same): every accepted form, and a
// precise message for what is not one.
const NOW = Date.UTC(2025, 5, 14, 12, 0, 0);
const parse = (query: string, body = '') => parseOsmAndRequest(new URLSearchParams(query), body, NOW);

t.test('timestamps: Unix seconds, Unix milliseconds, ISO 8601, "yyyy-MM-dd HH:mm:ss" UTC, none', async (t) => {
  const at = (timestamp: string) => {
    const r = parse(`id=k&lat=1&lon=2&timestamp=${encodeURIComponent(timestamp)}`);
    return r.ok ? r.positions[0]!.atMs : r.message;
  };
  t.equal(at('1749902400'), Date.UTC(2025, 5, 14, 12, 0, 0), 'seconds');
  t.equal(at('1749902400123'), Date.UTC(2025, 5, 14, 12, 0, 0, 123), 'milliseconds (above 2^31)');
  t.equal(at('2025-06-14T12:00:00.5Z'), Date.UTC(2025, 5, 14, 12, 0, 0, 500), 'ISO 8601');
  t.equal(at('2025-06-14T14:00:00+02:00'), Date.UTC(2025, 5, 14, 12, 0, 0), 'ISO 8601 with an offset');
  t.equal(at('2025-06-14 12:00:01'), Date.UTC(2025, 5, 14, 12, 0, 1), 'Traccar\'s date format, read as UTC');
  t.match(at('yesterday'), /^timestamp is neither Unix seconds, milliseconds nor an ISO 8601 time: "yesterday"/);
  const none = parse('id=k&lat=1&lon=2');
  t.equal(none.ok && none.positions[0]!.atMs, NOW, 'no timestamp: the time it was received');
});

t.test('query form: speed in knots to m/s, location=lat,lon, deviceid, unknown fields ignored, negative means unknown', async (t) => {
  t.same(parse('id=abc&lat=53.5&lon=9.8&speed=1&accuracy=5&bearing=10&altitude=3&batt=80&charge=true&timestamp=1749902400'),
    { ok: true, deviceKey: 'abc', positions: [{ atMs: NOW, lat: 53.5, lon: 9.8, speedMps: 1852 / 3600, accuracyM: 5 }] });
  t.same(parse('deviceid=abc&location=53.5,9.8&timestamp=1749902400'), { ok: true, deviceKey: 'abc', positions: [{ atMs: NOW, lat: 53.5, lon: 9.8 }] });
  t.same(parse('id=abc&lat=1&lon=2&speed=-1&accuracy=-1&timestamp=1749902400'), { ok: true, deviceKey: 'abc', positions: [{ atMs: NOW, lat: 1, lon: 2 }] });
  t.same(parse('lat=1&lon=2&timestamp=1749902400'), { ok: true, positions: [{ atMs: NOW, lat: 1, lon: 2 }] }, 'no key: the endpoint says 401');
});

t.test('the fields in a form body when the query has none; the query wins when it has some', async (t) => {
  t.same(parse('', 'id=abc&lat=1&lon=2&timestamp=1749902400'), { ok: true, deviceKey: 'abc', positions: [{ atMs: NOW, lat: 1, lon: 2 }] });
  const both = parse('id=q&lat=3&lon=4&timestamp=1749902400', 'id=b&lat=1&lon=2');
  t.same(both.ok && both.positions[0], { atMs: NOW, lat: 3, lon: 4 });
});

t.test('JSON form of Traccar Client v9: one location or a batch; speed already m/s; the key from the query as a fallback', async (t) => {
  const location = (seconds: number, speed: number) => ({ timestamp: new Date(NOW + seconds * 1000).toISOString(),
    coords: { latitude: 53.5, longitude: 9.8 + seconds / 1000, speed, accuracy: 4, heading: 90, altitude: 1 }, battery: { level: 0.5 } });
  t.same(parse('', JSON.stringify({ device_id: 'abc', location: location(0, 2.5) })),
    { ok: true, deviceKey: 'abc', positions: [{ atMs: NOW, lat: 53.5, lon: 9.8, speedMps: 2.5, accuracyM: 4 }] });
  const batch = parse('id=fromquery', JSON.stringify({ location: [location(0, 1), location(1, -1)] }));
  t.same(batch, { ok: true, deviceKey: 'fromquery', positions: [
    { atMs: NOW, lat: 53.5, lon: 9.8, speedMps: 1, accuracyM: 4 }, { atMs: NOW + 1000, lat: 53.5, lon: 9.801, accuracyM: 4 }] });
});

t.test('malformed requests: a precise message each', async (t) => {
  const message = (query: string, body = '') => {
    const r = parse(query, body);
    return r.ok ? 'accepted' : r.message;
  };
  t.equal(message('id=k&lat=north&lon=2'), 'lat is not a number: "north"');
  t.equal(message('id=k&lat=1&lon='), 'lon is not a number: ""');
  t.equal(message('id=k&lat=1'), 'lat and lon (or location=lat,lon) are required');
  t.equal(message('id=k&lat=1&lon=2&speed=fast'), 'speed is not a number: "fast"');
  t.match(message('', '{"device_id": "k", "location": '), /^the body is not valid JSON: /);
  t.equal(message('', '{"device_id": "k"}'), 'location.coords is required');
  t.equal(message('', '{"device_id": "k", "location": []}'), 'location is an empty list');
  t.equal(message('', '{"device_id": "k", "location": {"coords": {"latitude": "x", "longitude": 1}}}'), 'location.coords.latitude is not a number: "x"');
  t.equal(message('', '{"device_id": "k", "location": {"coords": {"latitude": null, "longitude": 1}}}'), 'location.coords.latitude must be a number, got null');
});

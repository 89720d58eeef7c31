import fs from 'node:fs';
import t from 'tap';
import { parseGpx } from './gpx.ts';

t.test('a real GPX track (Garmin Connect, 1 July 2023): every point, in file order, with its time', async (t) => {
  const text = fs.readFileSync(new URL('./fixtures/track2.gpx', import.meta.url), 'utf8');
  const { points, skipped } = parseGpx(text);
  t.equal(points.length, (text.match(/<trkpt /g) ?? []).length, 'as many points as <trkpt> elements');
  t.same(skipped, []);
  t.same(points[0], { atMs: Date.parse('2023-07-01T10:53:32.000Z'), lat: 53.5457148961722850799560546875, lon: 9.80538301169872283935546875 });
  t.ok(points.every((p, i) => i === 0 || p.atMs >= points[i - 1]!.atMs), 'times never go back');
});

t.test('points without a time or with broken coordinates are reported, not guessed', async (t) => {
  const gpx = `<gpx><trk><trkseg>
    <trkpt lat="53.5" lon="9.8"><time>2023-07-01T10:00:00Z</time></trkpt>
    <trkpt lat="53.6" lon="9.9"><ele>1</ele></trkpt>
    <trkpt lat='north' lon='9.9'><time>2023-07-01T10:00:02Z</time></trkpt>
    <trkpt lat="53.7" lon="9.7"><time>soon</time></trkpt>
    <trkpt lat="53.8" lon="9.6"/>
    <trkpt lon="9.5" lat="53.9"><time>2023-07-01T10:00:05.250Z</time></trkpt>
  </trkseg></trk><wpt lat="1" lon="1"><time>2023-07-01T10:00:00Z</time></wpt></gpx>`;
  const { points, skipped } = parseGpx(gpx);
  t.same(points, [{ atMs: Date.parse('2023-07-01T10:00:00Z'), lat: 53.5, lon: 9.8 }, { atMs: Date.parse('2023-07-01T10:00:05.250Z'), lat: 53.9, lon: 9.5 }],
    'the two good points (attributes in any order); the waypoint is not a track point');
  t.same(skipped.map((s) => s.point), [2, 3, 4, 5]);
  t.match(skipped, [{ problem: 'no <time>' }, { problem: /^lat\/lon not coordinates/ }, { problem: 'time "soon" is not ISO 8601' }, { problem: 'no <time>' }]);
});

import t from 'tap';
import { boxHolds, centreOf, createProjection, fitBox } from './projection.ts';

// The live map's projection: metres east and south of the centre, distances kept over a course, and a view that
// fits every point with the aspect kept.

const centre = { lat: 53.5455, lon: 9.8069 }; // the Elbe course of edge/gps/fixtures/marks.txt

t.test('equirectangular around the centre: metres east and south', async (t) => {
  const project = createProjection(centre);
  t.same(project(centre), { x: 0, y: 0 }, 'the centre is the origin');
  const north = project({ lat: centre.lat + 0.001, lon: centre.lon });
  t.ok(Math.abs(north.x) < 1e-9 && Math.abs(north.y + 111.195) < 0.01, `0.001° north is 111.2 m up (y ${north.y.toFixed(3)})`);
  const east = project({ lat: centre.lat, lon: centre.lon + 0.001 });
  t.ok(Math.abs(east.x - 111.195 * Math.cos((centre.lat * Math.PI) / 180)) < 0.01 && east.y === 0, `0.001° east is 66.1 m right at 53.5° N (x ${east.x.toFixed(3)})`);
});

t.test('distances over a few kilometres agree with the haversine distance to 0.1 %', async (t) => {
  const project = createProjection(centre);
  const haversine = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) => {
    const r = Math.PI / 180;
    const h = Math.sin(((b.lat - a.lat) * r) / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
    return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
  };
  for (const [a, b] of [[{ lat: 53.5425, lon: 9.8012 }, { lat: 53.5492, lon: 9.8074 }], [{ lat: 53.5430, lon: 9.8061 }, { lat: 53.5482, lon: 9.8126 }]] as const) {
    const p = project(a);
    const q = project(b);
    const planar = Math.hypot(q.x - p.x, q.y - p.y);
    const truth = haversine(a, b);
    t.ok(Math.abs(planar - truth) / truth < 0.001, `${planar.toFixed(1)} m on the map, ${truth.toFixed(1)} m on the globe`);
  }
});

t.test('the view holds every point with a margin, at least minSizeM on each side, centred on them', async (t) => {
  const points = [{ x: -300, y: -50 }, { x: 500, y: 150 }, { x: 20, y: 0 }];
  const box = fitBox(points, { padding: 0.05, minSizeM: 200 });
  t.ok(boxHolds(box, points), 'holds every point');
  t.same(box, { x: -340, y: -90, width: 880, height: 280 }, '800 × 200 m plus 40 m (5 % of 800) on every side');
  t.same(fitBox([{ x: 10, y: 10 }], { padding: 0, minSizeM: 200 }), { x: -90, y: -90, width: 200, height: 200 }, 'one point: a 200 m square around it');
  t.notOk(boxHolds(box, [{ x: 541, y: 0 }]), 'a point outside is not held');
});

t.test('the centre of a course is the middle of its bounding box', async (t) => {
  t.same(centreOf([{ lat: 53, lon: 9 }, { lat: 54, lon: 10 }, { lat: 53.2, lon: 9.9 }]), { lat: 53.5, lon: 9.5 });
  t.equal(centreOf([]), undefined, 'none without points');
});

import t from 'tap';
import { raceDeclaration, raceTimeline } from './races.ts';

t.test('a race timeline: open, start, the whole field within 2 s, then laps at about the declared pace', (t) => {
  const spec = { sessions: 1, cars: 30, lapMs: 30_000 };
  const decl = raceDeclaration(0, spec);
  const items = [...raceTimeline(0, spec, decl, 1_000_000_000, 1_000_000_000 + 100_000_000)];
  t.same(items.slice(0, 2).map((i) => i.type), ['session.open', 'session.start']);
  t.ok(items.every((item, k) => k === 0 || item.atUs >= items[k - 1]!.atUs), 'sorted by time');
  const passings = items.filter((i) => i.type === 'passing');
  const startUs = items[1]!.atUs;
  const burst = passings.filter((p) => p.atUs - startUs < 2_100_000);
  t.equal(new Set(burst.map((p) => p.type === 'passing' && p.transponder)).size, 30, 'every car crosses within 2 s of the start');
  // 100 s with 29–31 s laps: the start crossing and three laps each.
  t.equal(passings.length, 30 * 4);
  t.equal(items.filter((i) => i.type === 'clock.tick').length, 100);
  t.end();
});

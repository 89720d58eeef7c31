import t from 'tap';
import { raceDeclaration, raceTimeline } from './races.ts';

t.test('a race timeline: open, start, the whole field completes lap 1 within 2 s, then laps at about the declared pace', (t) => {
  const spec = { sessions: 1, cars: 30, lapMs: 30_000 };
  const decl = raceDeclaration(0, spec);
  const items = [...raceTimeline(0, spec, decl, { openAtUs: 1_000_000_000, startAtUs: 1_001_000_000, untilUs: 1_000_000_000 + 100_000_000 })];
  t.same(items.slice(0, 2).map((i) => i.type), ['session.open', 'session.start']);
  t.ok(items.every((item, k) => k === 0 || item.atUs >= items[k - 1]!.atUs), 'sorted by time');
  const passings = items.filter((i) => i.type === 'passing');
  const startUs = items[1]!.atUs;
  t.ok(passings[0]!.atUs - startUs > 30_000_000, 'nobody crosses at the start: the first crossing completes lap 1');
  const burst = passings.filter((p) => p.atUs - passings[0]!.atUs < 2_000_000);
  t.equal(new Set(burst.map((p) => p.type === 'passing' && p.transponder)).size, 30, 'the field completes lap 1 within 2 s');
  // 100 s with a 31.5 s first lap and 29–31 s laps: three laps each.
  t.equal(passings.length, 30 * 3);
  t.equal(items.filter((i) => i.type === 'clock.tick').length, 100);
  t.end();
});

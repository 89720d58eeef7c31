import t from 'tap';
import type { SessionView, StandingRow } from '../../actors/contracts/view.ts';
import { boardRows, classesIn } from './board-rows.ts';

const row = (number: string, cls: string, position: number, classPosition: number, more: Partial<StandingRow> = {}): StandingRow =>
  ({ number, name: `Car ${number}`, class: cls, position, classPosition, laps: 5, ...more });
const view = {
  track: 'ring', event: 'day', session: 'r1', name: 'Race', type: 'race', state: 'running', flag: 'green', clockUs: 0,
  rows: [
    row('1', 'gt3', 1, 1, { bestLapUs: 91_000_000, lastLapUs: 92_000_000 }),
    row('2', 'gt4', 2, 1, { bestLapUs: 95_000_000, lastLapUs: 95_000_000, gapUs: 1_000_000 }),
    row('3', 'gt3', 3, 2, { bestLapUs: 90_500_000, lastLapUs: 90_500_000, gapUs: 2_000_000, classGapUs: 2_000_000 }),
    row('4', 'gt4', 4, 2, { bestLapUs: 96_000_000, lastLapUs: 96_000_000, gapLaps: 1, classGapLaps: 1 }),
    row('5', 'gt4', 5, 3),
  ],
} satisfies SessionView;

t.test('overall by position: the view as it is, with best-lap marks', async (t) => {
  const shown = boardRows(view, { sort: 'position' });
  t.same(shown.map((s) => [s.row.number, s.position, s.best, s.lastBest]), [
    ['1', 1, undefined, undefined], ['2', 2, 'class', 'class'], ['3', 3, 'overall', 'overall'], ['4', 4, undefined, 'personal'], ['5', 5, undefined, undefined],
  ]);
  t.equal(shown[2]?.gapUs, 2_000_000, 'overall gaps');
});

t.test('one class: its cars, class positions and class gaps', async (t) => {
  const shown = boardRows(view, { classId: 'gt4', sort: 'position' });
  t.same(shown.map((s) => [s.row.number, s.position, s.gapUs, s.gapLaps]), [['2', 1, undefined, undefined], ['4', 2, undefined, 1], ['5', 3, undefined, undefined]]);
});

t.test('by best lap: fastest first, cars without a lap last in position order', async (t) => {
  t.same(boardRows(view, { sort: 'best' }).map((s) => s.row.number), ['3', '1', '2', '4', '5']);
  t.same(boardRows(view, { classId: 'gt3', sort: 'best' }).map((s) => [s.row.number, s.position]), [['3', 2], ['1', 1]]);
  t.same(classesIn(view), ['gt3', 'gt4']);
});

import t from 'tap';
import { ticks } from './line-chart.ts';
import { gapToLeaderSeries, lapTimePoints, positionPoints, type LapRecord } from './race-series.ts';

const lap = (n: number, lapMs: number, raceMs: number, position: number): LapRecord => ({ lap: n, lapMs, raceMs, position, flag: 'green', pit: false });

t.test('one point per lap: lap times and positions', async (t) => {
  const laps = [lap(1, 92_000, 92_000, 2), lap(2, 91_500, 183_500, 1)];
  t.same(lapTimePoints(laps), [{ x: 1, y: 92_000 }, { x: 2, y: 91_500 }]);
  t.same(positionPoints(laps), [{ x: 1, y: 2 }, { x: 2, y: 1 }]);
});

t.test('gap to the leader: to the first car to complete each lap, whoever it was', async (t) => {
  const series = gapToLeaderSeries(new Map([
    ['7', [lap(1, 90_000, 90_000, 1), lap(2, 95_000, 185_000, 2)]],
    ['12', [lap(1, 91_000, 91_000, 2), lap(2, 92_000, 183_000, 1), lap(3, 92_000, 275_000, 1)]],
  ]));
  t.same(series, [
    { label: '7', points: [{ x: 1, y: 0 }, { x: 2, y: 2000 }] },
    { label: '12', points: [{ x: 1, y: 1000 }, { x: 2, y: 0 }, { x: 3, y: 0 }] },
  ]);
});

t.test('ticks: round steps covering the range', async (t) => {
  t.same(ticks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
  t.same(ticks(91_234, 93_900, 5), [91_500, 92_000, 92_500, 93_000, 93_500]);
  t.same(ticks(1, 3, 5, true), [1, 2, 3], 'integer steps for positions');
  t.same(ticks(1, 8, 5, true), [1, 2, 3, 4, 5, 6, 7, 8], 'every position of a small field');
  t.same(ticks(5, 5, 5), [5], 'a single value');
});

import t from 'tap';
import { flagName, formatClock, formatGained, formatGap, formatLap, formatPenalty, formatRemaining, parseRaceTime } from './format.ts';

t.test('lap times', async (t) => {
  t.equal(formatLap(92_456_900), '1:32.456', 'thousandths truncated');
  t.equal(formatLap(59_123_000), '59.123');
  t.equal(formatLap(5_007_000), '5.007');
  t.equal(formatLap(60_000_000), '1:00.000');
  t.equal(formatLap(3_723_456_000), '1:02:03.456');
  t.equal(formatLap(undefined), '');
});

t.test('gaps and intervals', async (t) => {
  t.equal(formatGap(1_234_000, undefined), '+1.234');
  t.equal(formatGap(62_345_000, undefined), '+1:02.345');
  t.equal(formatGap(undefined, 1), '+1 lap');
  t.equal(formatGap(5_000, 2), '+2 laps', 'laps win over time');
  t.equal(formatGap(undefined, undefined), '', 'the leader');
});

t.test('clock and remaining', async (t) => {
  t.equal(formatClock(0), '00:00');
  t.equal(formatClock(754_999_999), '12:34');
  t.equal(formatClock(3_661_000_000), '1:01:01');
  t.equal(formatRemaining(600_000_000, undefined), '10:00 to go');
  t.equal(formatRemaining(undefined, 1), '1 lap to go');
  t.equal(formatRemaining(undefined, 5), '5 laps to go');
  t.equal(formatRemaining(undefined, undefined), '');
});

t.test('flags, positions gained and penalties', async (t) => {
  t.equal(flagName('fcy'), 'Full-course yellow');
  t.equal(flagName('yellow', [2, 5]), 'Local yellow S2, S5');
  t.equal(flagName('checkered'), 'Chequered flag');
  t.equal(flagName('something-new'), 'something-new', 'an unknown flag is shown as sent');
  t.equal(formatGained(3), '+3');
  t.equal(formatGained(-2), '−2');
  t.equal(formatGained(0), '0');
  t.equal(formatGained(undefined), '');
  t.equal(formatPenalty(5_000_000), '+5.000');
  t.equal(formatPenalty(0), '');
  t.equal(formatPenalty(undefined), '');
});

t.test('race times as officials type them', async (t) => {
  t.equal(parseRaceTime('92.5'), 92_500);
  t.equal(parseRaceTime(' 1:32.456 '), 92_456);
  t.equal(parseRaceTime('1:02:03.456'), 3_723_456);
  t.equal(parseRaceTime('150'), 150_000);
  for (const bad of ['', '1:75', '1.2.3', '-5', '1:02:03:04', 'a:10', '1:32.4567']) t.equal(parseRaceTime(bad), undefined, JSON.stringify(bad));
});

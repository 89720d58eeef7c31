import t from 'tap';
import { createEdgeClock } from './edge-clock.ts';

/** A monotonic clock and a system clock the test moves by hand. */
function clocks(wallMs: number) {
  let monoNs = 5_000_000_000n;
  let wall = wallMs;
  return {
    deps: { monotonicNs: () => monoNs, wallMs: () => wall },
    advanceMs(ms: number) {
      monoNs += BigInt(ms) * 1_000_000n;
      wall += ms;
    },
    stepWallMs(ms: number) {
      wall += ms;
    },
  };
}

t.test('stamps follow the monotonic clock from the system time at start', async (t) => {
  const c = clocks(1_700_000_000_000);
  const clock = createEdgeClock(c.deps);
  t.equal(clock.nowUs(), 1_700_000_000_000_000);
  c.advanceMs(90_123);
  t.equal(clock.nowUs(), 1_700_000_090_123_000, 'a lap of 90.123 s is 90.123 s');
  t.match(clock.measure(), { divergenceUs: 0, steps: 0 });
});

t.test('a small system clock correction is slewed (at most 500 ppm), so lap times stay exact to 0.05 %', async (t) => {
  const c = clocks(1_700_000_000_000);
  const clock = createEdgeClock(c.deps);
  c.stepWallMs(200); // NTP corrects the system clock by +200 ms, e.g. when the network is back after an outage
  const before = clock.nowUs();
  c.advanceMs(100_000);
  const health = clock.measure();
  t.equal(health.steps, 0, 'not stepped');
  t.equal(health.offsetUs - (1_700_000_000_000_000 - 5_000_000), 50_000, '100 s × 500 ppm = 50 ms slewed');
  t.equal(health.divergenceUs, 150_000, '150 ms still to go, reported');
  c.advanceMs(100_000);
  const lapUs = clock.nowUs() - before - 100_000_000;
  t.equal(lapUs, 100_000_000 + 50_000, 'the next 100 s measure 100.05 s at most');
  c.advanceMs(400_000);
  t.equal(clock.measure().divergenceUs, 0, 'converged');
  t.equal(clock.nowUs(), 1_700_000_600_200_000, 'and equal to the corrected system clock');
});

t.test('a large divergence (a box that booted with a wrong clock) is stepped at once and counted', async (t) => {
  const c = clocks(0); // 1970: no real-time clock, no NTP yet
  const clock = createEdgeClock(c.deps);
  c.stepWallMs(1_700_000_000_000);
  c.advanceMs(1000);
  t.match(clock.measure(), { steps: 1, lastStepUs: 1_700_000_000_000_000, divergenceUs: 0 });
  t.equal(clock.nowUs(), 1_700_000_001_000_000);
});

import { quantile, summarise } from '../fanout/stats.ts';
import { cpuText, ms, startLiveRaces } from './live/harness.ts';
import type { Scenario } from './scenario.ts';

/**
 * Issue 17, scenario 2: a late-join storm — 5,000 spectators connect within 2 s to a race that is running (the
 * moment a broadcast shows the timing page's address); how long until every one has its snapshot.
 */
const TARGET_S = 5;

const plan = (quick: boolean) => ({
  spec: { sessions: 1, cars: 30, lapMs: quick ? 8_000 : 30_000 },
  watching: 200,
  storm: 5000,
  spreadMs: 2000,
  /** Let the race run (laps counted, diffs flowing) before the storm. */
  runningMs: quick ? 3_000 : 10_000,
});

export const lateJoinScenario: Scenario = {
  id: 'late-join',
  title: '2. Late-join storm',
  expectedSeconds: (quick) => (quick ? 20 : 45),
  method(quick) {
    const p = plan(quick);
    return [
      `One race of ${p.spec.cars} cars (${p.spec.lapMs / 1000} s laps) running on the whole stack as in scenario 1, ${p.watching} spectators already watching.`,
      `${p.storm.toLocaleString('en-US')} more connect within ${p.spreadMs / 1000} s (attempt k at k × ${p.spreadMs / p.storm} ms, from two processes of ${p.storm / 2} on the client core), each subscribing to the race: upgrade, subscribe, snapshot.`,
      'Measured: from the first attempt until the last spectator has its snapshot; per spectator, attempt → snapshot; the watching spectators\' passing → screen latency during the storm; CPU of every process.',
    ];
  },
  async run(ctx) {
    const p = plan(ctx.quick);
    const live = await startLiveRaces({ spec: p.spec, runMs: Math.max(30_000, ctx.deadline - Date.now()), startAfterMs: 1000, staggerMs: 0, log: ctx.log });
    try {
      await live.connect(p.watching);
      await new Promise((r) => setTimeout(r, p.runningMs));
      ctx.log(`race running; ${p.storm} spectators join within ${p.spreadMs} ms`);
      live.window();
      const storm = await live.connect(p.storm, { spreadMs: p.spreadMs, perProcess: p.storm / 2 });
      const w = await live.collect();
      await live.stop();
      const all = storm.sinceStormUs.length === p.storm;
      const lastS = all ? Math.max(...storm.sinceStormUs) / 1e6 : undefined;
      const perSpectator = summarise(storm.sinceAttemptUs);
      const sorted = [...storm.sinceStormUs].sort((a, b) => a - b);
      const half = quantile(sorted, 0.5);
      return {
        body: [
          `${storm.withSnapshot.toLocaleString('en-US')} of ${storm.count.toLocaleString('en-US')} spectators had their snapshot` +
            (lastS === undefined ? ` (missing: ${JSON.stringify(storm.failures)})` : `; the last ${lastS.toFixed(2)} s after the first attempt`) +
            ` (half of them by ${ms(half === undefined ? undefined : half / 1000)} ms).`,
          '',
          `Per spectator, attempt → snapshot: p50 ${ms(perSpectator.p50Ms)} ms, p99 ${ms(perSpectator.p99Ms)} ms, max ${ms(perSpectator.maxMs)} ms.`,
          '',
          `The ${p.watching} watching spectators during the storm (${w.seconds.toFixed(1)} s): passing → screen p50 ${ms(w.toScreen.p50Ms)} / p99 ${ms(w.toScreen.p99Ms)} ms over ${w.toScreen.count} samples (edge → RACE p99 ${ms(w.toRace.p99Ms)} ms), ${w.gaps} seq gaps.`,
          '',
          `CPU (cores) during the storm: ${cpuText(w.cpu)}; whole machine ${w.machineCores.toFixed(2)} of 2.`,
        ],
        targets: [{
          target: `late-join storm (5k spectators within 2 s) served in under ${TARGET_S} s`,
          measured: lastS === undefined ? `${storm.withSnapshot} of ${storm.count} got a snapshot` : `all ${storm.count.toLocaleString('en-US')} in ${lastS.toFixed(2)} s (per spectator p99 ${ms(perSpectator.p99Ms)} ms)`,
          status: lastS !== undefined && lastS < TARGET_S ? 'met' : 'not met',
        }],
        findings: [],
        data: { plan: p, storm: { ...storm, sinceStormUs: undefined, sinceAttemptUs: undefined, lastS, perSpectator }, window: w },
      };
    } finally {
      await live.stop().catch(() => undefined);
    }
  },
};

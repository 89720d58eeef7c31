import { startLiveRaces } from './live/harness.ts';
import type { Scenario } from './scenario.ts';

/**
 * Issue 17, scenario 6: engine memory per live session and gateway memory per spectator — each process's memory
 * after a full collection (both run with --expose-gc), before and after, divided by what was added.
 */
const TARGET_KB = 10;

const plan = (quick: boolean) => ({
  spec: { sessions: quick ? 10 : 50, cars: 30, lapMs: 30_000 },
  spectators: quick ? 3000 : 10_000,
  runningMs: quick ? 2_000 : 10_000,
});

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);

export const memoryScenario: Scenario = {
  id: 'memory',
  title: '6. Memory',
  expectedSeconds: (quick) => (quick ? 22 : 60),
  method(quick) {
    const p = plan(quick);
    return [
      `Engine: its memory with no session, then with ${p.spec.sessions} races of ${p.spec.cars} cars live and running for ${p.runningMs / 1000} s (laps, ticks, snapshots saved); per session = difference ÷ ${p.spec.sessions}.`,
      `Gateway: its memory with the ${p.spec.sessions} races' views and no spectator, then with ${p.spectators.toLocaleString('en-US')} spectators spread over the races; per spectator = difference ÷ ${p.spectators.toLocaleString('en-US')}.`,
      'Each reading after a full garbage collection (`--expose-gc`): RSS (what the machine gives the process, native buffers and uWS included) and the V8 heap in use.',
    ];
  },
  async run(ctx) {
    const p = plan(ctx.quick);
    const live = await startLiveRaces({ spec: p.spec, runMs: Math.max(30_000, ctx.deadline - Date.now()), startAfterMs: 1000, staggerMs: 0, log: ctx.log });
    try {
      const engineBefore = live.engineAtStart;
      await new Promise((r) => setTimeout(r, p.runningMs));
      const engineAfter = await live.stack.engine.ask<{ memory: NodeJS.MemoryUsage; sessions: number }>({ cmd: 'memory' }, 'memory');
      const gatewayBefore = await live.gatewayMetrics();
      const joined = await live.connect(p.spectators);
      await new Promise((r) => setTimeout(r, 2000));
      const gatewayAfter = await live.gatewayMetrics();
      await live.stop();
      const perSession = {
        rss: (engineAfter.memory.rss - engineBefore.rss) / p.spec.sessions,
        heap: (engineAfter.memory.heapUsed - engineBefore.heapUsed) / p.spec.sessions,
      };
      const n = joined.withSnapshot;
      const perSpectator = {
        rss: (gatewayAfter.memory.rss - gatewayBefore.memory.rss) / n,
        heap: (gatewayAfter.memory.heapUsed - gatewayBefore.memory.heapUsed) / n,
      };
      const fullSize = !ctx.quick && n >= 10_000;
      return {
        body: [
          '| process | before (RSS / heap MB) | after (RSS / heap MB) | added | per unit (RSS / heap KB) |',
          '|---|---|---|---|---|',
          `| engine | ${mb(engineBefore.rss)} / ${mb(engineBefore.heapUsed)} | ${mb(engineAfter.memory.rss)} / ${mb(engineAfter.memory.heapUsed)} | ${engineAfter.sessions} live sessions | ${kb(perSession.rss)} / ${kb(perSession.heap)} per session |`,
          `| gateway | ${mb(gatewayBefore.memory.rss)} / ${mb(gatewayBefore.memory.heapUsed)} | ${mb(gatewayAfter.memory.rss)} / ${mb(gatewayAfter.memory.heapUsed)} | ${n.toLocaleString('en-US')} spectators | ${kb(perSpectator.rss)} / ${kb(perSpectator.heap)} per spectator |`,
        ],
        targets: [{
          target: `gateway memory under ${TARGET_KB} KB per spectator`,
          measured: `${kb(perSpectator.rss)} KB RSS, ${kb(perSpectator.heap)} KB heap per spectator (${n.toLocaleString('en-US')} spectators)`,
          status: !fullSize ? 'indicative' : perSpectator.rss / 1024 < TARGET_KB ? 'met' : 'not met',
        }],
        findings: [],
        data: { plan: p, engineBefore, engineAfter, gatewayBefore: gatewayBefore.memory, gatewayAfter: gatewayAfter.memory, perSession, perSpectator, spectators: n },
      };
    } finally {
      await live.stop().catch(() => undefined);
    }
  },
};

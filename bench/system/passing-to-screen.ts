import type { Scenario } from './scenario.ts';
import { cpuText, ms, startLiveRaces } from './live/harness.ts';

/**
 * Issue 17, scenario 1: many races at once through the whole path — edge agent → JetStream → session actors →
 * gateway → spectators — with passing → screen latency split at RACE and at `view.*`.
 */
const TARGET_MS = 250;

const plan = (quick: boolean) => ({
  // Quick: short laps (a kart track) so that a short window sees every race's lap-1 burst.
  spec: { sessions: 20, cars: 30, lapMs: quick ? 8_000 : 30_000 },
  spectators: quick ? 2000 : 10_000,
  /** Spectators join between the races' opening and their first start; the window then takes in every start burst. */
  startAfterMs: quick ? 4_000 : 25_000,
  staggerMs: quick ? 3_000 : 20_000,
  windowMs: quick ? 13_000 : 60_000,
});

export const passingToScreenScenario: Scenario = {
  id: 'passing-to-screen',
  title: '1. Passing to screen, many sessions',
  method(quick) {
    const p = plan(quick);
    return [
      `${p.spec.sessions} races of ${p.spec.cars} cars (${p.spec.lapMs / 1000} s laps ±4%; the field completes lap 1 within 2 s, the start burst; the races open together and start one after another over ${p.staggerMs / 1000} s), played in real time by one edge agent per race (the real edge publisher with its disk outbox and its own NATS user) in a load process.`,
      'Server side as `pitwall up` runs it, one process each, all pinned to core 0: nats-server (JetStream on disk), clickhouse-server, the real engine (ingest, actors, lap sink, archive), the real gateway. Load (edge agents, a NATS probe, spectator processes of ≤ 5,000 lean WebSocket clients) pinned to core 1.',
      `${p.spectators.toLocaleString('en-US')} spectators spread evenly over the races (${p.spectators / p.spec.sessions} each), every one decoding every frame; they join before the starts, and a ${p.windowMs / 1000} s window from the first start takes in every race's lap-1 burst (the worst moment: the whole field within 2 s) and the laps after.`,
      'Latency from the passing\'s own time (the crossing on the wall clock, shared by every process on this machine): to RACE (`timing.*.*.passing` seen by the probe: edge agent, EDGE, ingest, the owner\'s RACE write), to `view.*.*` (the actor applied it, coalesced per 100 ms tick), to the screen (a spectator decoded the diff). Every spectator\'s every sample counts (reservoir of 50,000 per process).',
    ];
  },
  async run(ctx) {
    const p = plan(ctx.quick);
    const live = await startLiveRaces({ spec: p.spec, runMs: Math.max(30_000, ctx.deadline - Date.now()), startAfterMs: p.startAfterMs, staggerMs: p.staggerMs, log: ctx.log });
    try {
      ctx.log(`${live.races.length} races live; connecting ${p.spectators} spectators`);
      const joined = await live.connect(p.spectators);
      const firstStartMs = Math.min(...live.races.map((r) => r.startAtUs)) / 1000 - performance.timeOrigin - performance.now();
      ctx.log(`${joined.withSnapshot}/${joined.count} spectators have a snapshot; the first start in ${Math.round(firstStartMs)} ms; window ${p.windowMs / 1000} s`);
      if (firstStartMs > 300) await new Promise((r) => setTimeout(r, firstStartMs - 300));
      live.window();
      await new Promise((r) => setTimeout(r, Math.min(p.windowMs, Math.max(3000, ctx.deadline - Date.now() - 8000))));
      const w = await live.collect();
      const gateway = await live.stack.gateway.ask<{ stats: { publish: { count: number; p50Ms?: number; p99Ms?: number; maxMs?: number } } }>({ cmd: 'stats' }, 'stats');
      const summary = await live.stop();
      const busiest = [...w.cpu].sort((a, b) => b.cores - a.cores)[0]!;
      const p99 = w.toScreen.p99Ms;
      const full = !ctx.quick && joined.withSnapshot === p.spectators;
      const split = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '–' : ms(b - a));
      return {
        body: [
          '| point on the path | samples | p50 ms | p99 ms | max ms |',
          '|---|---|---|---|---|',
          `| edge → EDGE (edge agent: disk outbox, JetStream publish) | ${w.toEdge.count} | ${ms(w.toEdge.p50Ms)} | ${ms(w.toEdge.p99Ms)} | ${ms(w.toEdge.maxMs)} |`,
          `| edge → RACE (+ ingest, the owner's RACE write) | ${w.toRace.count} | ${ms(w.toRace.p50Ms)} | ${ms(w.toRace.p99Ms)} | ${ms(w.toRace.maxMs)} |`,
          `| edge → view (+ actor applied it, 100 ms coalescing) | ${w.toView.count} | ${ms(w.toView.p50Ms)} | ${ms(w.toView.p99Ms)} | ${ms(w.toView.maxMs)} |`,
          `| edge → screen (+ gateway, spectator decoded) | ${w.toScreen.count} | ${ms(w.toScreen.p50Ms)} | ${ms(w.toScreen.p99Ms)} | ${ms(w.toScreen.maxMs)} |`,
          '',
          `Split by stage (differences of the cumulative quantiles): edge agent p50 ${ms(w.toEdge.p50Ms)} / p99 ${ms(w.toEdge.p99Ms)} ms; ` +
            `ingest → RACE p50 ${split(w.toEdge.p50Ms, w.toRace.p50Ms)} / p99 ${split(w.toEdge.p99Ms, w.toRace.p99Ms)} ms; ` +
            `actor → view p50 ${split(w.toRace.p50Ms, w.toView.p50Ms)} / p99 ${split(w.toRace.p99Ms, w.toView.p99Ms)} ms; ` +
            `view → screen (gateway, client) p50 ${split(w.toView.p50Ms, w.toScreen.p50Ms)} / p99 ${split(w.toView.p99Ms, w.toScreen.p99Ms)} ms. ` +
            `The gateway's own fan-out (first to last socket write of a turn, \`pitwall_gateway_fanout_seconds\`): ${gateway.stats.publish.count} turns, p50 ${ms(gateway.stats.publish.p50Ms)} / p99 ${ms(gateway.stats.publish.p99Ms)} / max ${ms(gateway.stats.publish.maxMs)} ms.`,
          '',
          `In the ${w.seconds.toFixed(1)} s window: ${w.passings} passings reached RACE (${(w.passings / w.seconds).toFixed(1)}/s), ${w.diffs} view diffs, ` +
            `${w.spectatorFrames.toLocaleString('en-US')} diff frames to spectators (${Math.round(w.spectatorFrames / w.seconds).toLocaleString('en-US')}/s, ${(w.spectatorBytes / w.seconds / 1e6).toFixed(2)} MB/s on the wire), ` +
            `${w.gaps} seq gaps, ${w.closed} connections closed. ${joined.withSnapshot}/${joined.count} spectators connected${Object.keys(joined.failures).length ? ` (failures: ${JSON.stringify(joined.failures)})` : ''}. ` +
            `Method check: ${w.agree} view race times equal the passing's own time, ${w.disagree} do not.`,
          '',
          `CPU (cores) in the window: ${cpuText(w.cpu)}; whole machine ${w.machineCores.toFixed(2)} of 2 (others' work included). ` +
            `nats-server wrote ${(w.natsWriteBytesPerSec / 1e3).toFixed(0)} kB/s to disk. Edge agents published ${summary.passings} passings, ${summary.acked} messages acknowledged by JetStream.`,
        ],
        targets: [{
          target: `passing-to-screen p99 < ${TARGET_MS} ms with 10k spectators across 20 sessions`,
          measured: `p99 ${ms(p99)} ms (p50 ${ms(w.toScreen.p50Ms)}; ${joined.withSnapshot.toLocaleString('en-US')} spectators, ${live.races.length} sessions)`,
          status: p99 === undefined ? 'not measured' : !full ? 'indicative' : p99 < TARGET_MS ? 'met' : 'not met',
        }],
        findings: [
          `Busiest process at ${p.spectators} spectators: ${busiest.name} at ${busiest.cores.toFixed(2)} cores${busiest.cores >= 0.9 ? ' (saturated)' : ' (nothing saturated at this load)'}.`,
        ],
        data: { plan: p, window: w, joined: { ...joined, sinceStormUs: undefined, sinceAttemptUs: undefined }, gateway: gateway.stats, summary },
      };
    } finally {
      await live.stop().catch(() => undefined);
    }
  },
};

import { forkTs, pin, type Child } from '../fanout/child.ts';
import { cpuMeter, machineMeter } from '../fanout/proc.ts';
import { summarise } from '../fanout/stats.ts';
import { counterDelta, readGpsCounters } from './gps/gps-metrics.ts';
import { issueCredentials, openRaces, raceRef } from './gps/gps-races.ts';
import { renderGpsRiders, type GpsRun } from './gps/gps-report.ts';
import { LOAD_CPU, startGpsStack } from './gps/gps-stack.ts';
import type { Scenario } from './scenario.ts';
import { startCpuTimeline } from './gps/cpu-timeline.ts';
import { streamCounts, streamWrites } from './gps/stream-traffic.ts';
import { startJsApiProbe } from './gps/js-api-latency.ts';

/**
 * Sizes and windows: the issue's 10 races × 50 riders. Quick runs 4 races of 75 (300 riders, indicative): race
 * control's opens take about 0.5 s more with each session the engine hosts (gps-races.ts), so 10 opens alone (~30 s)
 * would not fit its 25 s, and issuing device keys costs more with each key issued (oidc/riders.ts scans them all).
 */
const sizes = (quick: boolean) => ({
  races: quick ? 4 : 10, riders: quick ? 75 : 50, spectatorsPerRace: quick ? 25 : 30,
  baselineMs: quick ? 2000 : 15_000, warmupMs: quick ? 1500 : 5000, windowMs: quick ? 5000 : 60_000,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const here = (module: string) => new URL(module, import.meta.url);

/** A load child (riders or spectators) on the load core, told to connect, resolving once it has. */
async function startLoad(module: string, lifetimeMs: number, connect: object): Promise<Child> {
  const child = forkTs(here(module), module, { lifetimeMs, env: { LIFETIME_MS: String(lifetimeMs) } });
  pin(child.pid, LOAD_CPU);
  const reply = await child.ask<{ error?: string }>({ cmd: 'connect', ...connect }, 'connected', 60_000);
  if (reply.error) throw new Error(`${module}: ${reply.error}`);
  return child;
}

export const gpsRidersScenario: Scenario = {
  id: 'gps-riders',
  title: '7. GPS riders',
  expectedSeconds: (quick) => (quick ? 22 : 125),
  method(quick) {
    const s = sizes(quick);
    return [
      `${s.races} GPS races, each at its own track, ${s.riders} declared riders each (${s.races * s.riders} riders), opened and started by race control over the gateway's REST commands; the real engine hosts them.`,
      'Processes: nats-server, the identity provider, the engine and the gateway (createGateway), each its own process on core 0; the rider load and the spectators in two processes on core 1. All on 127.0.0.1.',
      "Riders: every odd-numbered rider is the rider page (its own WebSocket `/ws`, `auth` with a competitor token from the identity provider, then `position` frames), every even-numbered one Traccar Client (POST `/api/gps/osmand?id=<device key>&…` over kept-alive HTTP). One fix a second each, spread evenly over the second.",
      `Spectators: ${s.spectatorsPerRace} per race (${s.races * s.spectatorsPerRace}), raw WebSocket clients subscribed to one session each.`,
      'Fix-to-map latency: a fix\'s own time is its send time on the shared clock (µs); every rider in a non-full `positions` frame a spectator receives is one sample: arrival − fix time. p50/p99/max over a reservoir of every spectator\'s samples. Acknowledgement latency: send to `position` reply (WebSocket) or HTTP 200, both after JetStream stored the fix.',
      `Gateway CPU per fix: the gateway process's CPU over the ${s.windowMs / 1000} s window (after ${s.warmupMs / 1000} s of warm-up) minus its CPU over a ${s.baselineMs / 1000} s peer window (scaled to the window's length) in the same run with the same spectators and riders connected but silent, ÷ the fixes its own counters say it stored in the window. The engine and nats-server are metered the same way.`,
    ];
  },

  async run(ctx) {
    const s = sizes(ctx.quick);
    const t0 = Date.now();
    const lifetimeMs = Math.max(10_000, ctx.deadline - Date.now() + 10_000);
    const stack = await startGpsStack({ lifetimeMs, log: ctx.log });
    try {
      const tStack = Date.now();
      // Side by side: the opens mostly wait for the engine's claims, the credentials for KV and the identity provider.
      const [opensMs, [credentials, credentialsMs]] = await Promise.all([openRaces(stack, s.races, s.riders),
        issueCredentials(stack, s.races, s.riders).then((c) => [c, Date.now() - tStack] as const)]);
      const setupSeconds = { stack: (tStack - t0) / 1000, races: opensMs.reduce((a, b) => a + b, 0) / 1000, credentials: credentialsMs / 1000 };
      ctx.log(`stack up in ${setupSeconds.stack.toFixed(1)} s; ${s.races} races opened in ${setupSeconds.races.toFixed(1)} s; ${credentials.length} riders' credentials in ${setupSeconds.credentials.toFixed(1)} s`);
      const sessions = Array.from({ length: s.races }, (_, i) => ({ track: raceRef(i).track, session: raceRef(i).session }));
      const spectators = await startLoad('./gps/gps-spectators.ts', lifetimeMs, { wsUrl: `${stack.gatewayUrl.replace('http', 'ws')}/ws`, sessions, perSession: s.spectatorsPerRace });
      const riders = await startLoad('./gps/gps-rider-load.ts', lifetimeMs, { gatewayUrl: stack.gatewayUrl, riders: credentials });
      await sleep(500);

      // The peer: the same gateway, spectators and connected riders, no fixes.
      const left = () => ctx.deadline - Date.now();
      const windowMs = Math.min(s.windowMs, left() - s.baselineMs - s.warmupMs - 6000);
      if (windowMs < 3000) throw new Error(`only ${Math.round(left() / 1000)} s left before the deadline: no room for a window`);
      const baseMeters = { gateway: cpuMeter([stack.pids.gateway]), engine: cpuMeter([stack.pids.engine]), nats: cpuMeter([stack.pids.nats]) };
      await sleep(s.baselineMs);
      const baseline = { gateway: baseMeters.gateway(), engine: baseMeters.engine(), nats: baseMeters.nats() };

      const done = riders.ask<{ stats: GpsRun['riders'] }>({ cmd: 'go', durationMs: s.warmupMs + windowMs }, 'done', s.warmupMs + windowMs + 15_000);
      await sleep(s.warmupMs);
      await spectators.ask({ cmd: 'reset' }, 'reset');
      const before = await readGpsCounters(stack.gatewayUrl);
      const admin = await stack.connectAs('admin');
      const streamsBefore = await streamCounts(admin);
      const meters = { gateway: cpuMeter([stack.pids.gateway]), engine: cpuMeter([stack.pids.engine]), nats: cpuMeter([stack.pids.nats]),
        load: cpuMeter([riders.pid, spectators.pid]), machine: machineMeter() };
      const timeline = startCpuTimeline({ gateway: stack.pids.gateway, engine: stack.pids.engine, nats: stack.pids.nats });
      const apiProbe = startJsApiProbe(admin, 'EDGE');
      await sleep(windowMs);
      const cpuPerSecond = timeline.stop();
      const { answerMs: jsApiMsPerSecond, bytes: edgeBytesPerSecond } = apiProbe.stop();
      const cpu = { gateway: meters.gateway(), engine: meters.engine(), nats: meters.nats(), load: meters.load(), machineBusy: meters.machine() };
      const window = counterDelta(before, await readGpsCounters(stack.gatewayUrl));
      const streams = streamWrites(streamsBefore, await streamCounts(admin));
      const seen = (await spectators.ask<{ stats: GpsRun['spectators'] }>({ cmd: 'stats' }, 'stats')).stats;
      const sent = (await done).stats;
      const total = await readGpsCounters(stack.gatewayUrl);
      ctx.log(`window ${windowMs / 1000} s: ${window.storedWs + window.storedOsmand} fixes stored, ${seen.samples} map samples`);
      return renderGpsRiders({
        quick: ctx.quick, sizes: { ...s, windowMs }, setupSeconds, opensMs,
        baseline, cpu, cpuPerSecond, jsApiMsPerSecond, edgeBytesPerSecond, streams, window, total, riders: sent, spectators: seen,
        fixToMap: summarise(seen.latencyUs), ackWs: summarise(sent.ackWsUs), ackOsmand: summarise(sent.ackOsmandUs), sendLag: summarise(sent.sendLagUs),
      });
    } finally {
      await stack.stop();
    }
  },
};

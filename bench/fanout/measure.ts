import { cpuMeter, machineMeter, rssBytes, waitForQuiet } from './proc.ts';
import { forkTs, pin, type Child } from './child.ts';
import { DELIVERY_FLOOR, P99_LIMIT_MS, type Plan } from './plan.ts';
import type { ReceiverCommand, ReceiverStats } from './receiver.ts';
import { summarise, type LatencySummary } from './stats.ts';
import { CLIENT_CPU, startSystem, type SystemInfo } from './systems.ts';

/** One measured window of one system. */
export interface StepResult {
  /** Transport: ticks per second per client. Natural: passings per second of the race. */
  load: number;
  burst?: boolean;
  seconds: number;
  offeredPerSec: number;
  /** Transport: frames/s delivered. Natural: passings reflected at clients per second (all clients). */
  deliveredPerSec: number;
  framesPerSec: number;
  latency: LatencySummary;
  /** Wire bytes per spectator per frame and per passing reflected (natural). */
  bytesPerFrame?: number;
  bytesPerPassing?: number;
  serverCores: number;
  helperCores: Record<string, number>;
  receiverCores: number;
  /** Busy cores of the whole machine: what is left after server, helpers and receivers is someone else's load. */
  machineCores: number;
  /** Server CPU µs per delivered update (frame or passing). */
  serverCpuUsPerUpdate?: number;
  /** Pitwall: gateway publish call p99 (publish to last socket write), ms. */
  gatewayPublishP99Ms?: number;
  gatewayPublishMaxMs?: number;
  held: boolean;
  closed: number;
}

export interface SystemRun {
  info: SystemInfo;
  /** Label suffix for the A/A repeat. */
  repeat?: boolean;
  clients: number;
  connected: number;
  failed: number;
  connectMs: number;
  /** Busy cores on the machine just before this system started (after waiting for quiet). */
  busyBefore?: number;
  memPerConnKiB?: number;
  transport: StepResult[];
  natural: StepResult[];
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collectAll(receivers: Child[]): Promise<ReceiverStats[]> {
  const replies = await Promise.all(receivers.map((r) => r.ask<{ stats: ReceiverStats }>({ cmd: 'collect' } satisfies ReceiverCommand, 'stats')));
  return replies.map((m) => m.stats);
}

function combine(stats: ReceiverStats[]) {
  const sum = (f: (s: ReceiverStats) => number) => stats.reduce((a, s) => a + f(s), 0);
  const seconds = Math.max(...stats.map((s) => s.seconds));
  return {
    frames: sum((s) => s.frames), bytes: sum((s) => s.bytes), probePassings: sum((s) => s.probePassings), probes: sum((s) => s.probes),
    latency: summarise(stats.flatMap((s) => s.latencyUs)), receiverCores: sum((s) => s.cpuSeconds) / seconds, seconds,
    closed: sum((s) => s.closed),
  };
}

/**
 * After an overloaded step, brokers and servers still hold queued frames: wait (at most 8 s) until receivers get
 * almost nothing (at most `maxMs`), so that the next phase does not measure the previous one's backlog.
 */
async function drain(receivers: Child[], clients: number, maxMs: number) {
  await collectAll(receivers);
  for (let waited = 0; waited < maxMs; waited += 400) {
    await sleep(400);
    const frames = (await collectAll(receivers)).reduce((a, s) => a + s.frames, 0);
    if (frames < clients * 0.5) return;
  }
}

export async function runSystem(info: SystemInfo, clients: number, plan: Plan, log: (line: string) => void, lifetimeMs: number): Promise<SystemRun> {
  const run: SystemRun = { info, clients, connected: 0, failed: 0, connectMs: 0, transport: [], natural: [] };
  run.busyBefore = await waitForQuiet(plan.quietWaitMs);
  const system = await startSystem(info, { clients, lifetimeMs, log });
  const receivers: Child[] = [];
  try {
    await sleep(300);
    const rssBefore = system.servers.reduce((a, s) => a + (rssBytes(s.pid) ?? 0), 0);
    const processes = Math.ceil(clients / 5000);
    for (let i = 0; i < processes; i += 1) {
      const r = forkTs(new URL('./receiver.ts', import.meta.url), `receiver-${i}`, { lifetimeMs });
      pin(r.pid, CLIENT_CPU);
      receivers.push(r);
    }
    await Promise.all(receivers.map((r) => r.next('ready')));
    const share = (i: number, n: number) => Math.floor(n / processes) + (i < n % processes ? 1 : 0);
    const connected = await Promise.all(receivers.map((r, i) => r.ask<{ ready: number; failed: number; ms: number; reasons: Record<string, number> }>({
      cmd: 'connect', system: info.kind, urls: system.urls, count: share(i, clients), probes: share(i, plan.probes), concurrency: 100,
    } satisfies ReceiverCommand, 'connected', 100_000)));
    run.connected = connected.reduce((a, c) => a + c.ready, 0);
    run.failed = connected.reduce((a, c) => a + c.failed, 0);
    run.connectMs = Math.max(...connected.map((c) => c.ms));
    if (run.failed) log(`  ${info.label}: ${run.failed} connections failed: ${JSON.stringify(connected.map((c) => c.reasons))}`);
    await sleep(500);
    const rssAfter = system.servers.reduce((a, s) => a + (rssBytes(s.pid) ?? 0), 0);
    if (run.connected > 0) run.memPerConnKiB = (rssAfter - rssBefore) / run.connected / 1024;

    /** A source that died (its lifetime, a crash) must not take the orchestrator with it. */
    const command = (m: object) => {
      if (system.source.proc.connected) system.source.proc.send(m);
      else throw new Error(`${info.label}: its source process is gone`);
    };
    const setMode = (mode: 'transport' | 'natural') => Promise.all(receivers.map((r) => r.ask({ cmd: 'mode', mode } satisfies ReceiverCommand, 'mode')));
    const measure = async (windowMs: number, offeredPerSec: number, natural: boolean, load: number, burst = false): Promise<StepResult> => {
      const sourceCount = async () => {
        const m = await system.source.ask<{ stats: { ticks: number; passings: number } }>({ cmd: 'stats' }, 'stats');
        return natural ? m.stats.passings : m.stats.ticks;
      };
      await collectAll(receivers); // discard what came before the window
      await system.gatewayStats?.();
      const sent0 = await sourceCount();
      const server = cpuMeter(system.servers.map((s) => s.pid));
      const machine = machineMeter();
      const helpers = system.helpers.map((h) => ({ name: h.name, meter: cpuMeter([h.pid]) }));
      await sleep(windowMs);
      const sentPerSec = ((await sourceCount()) - sent0) / (windowMs / 1000);
      const c = combine(await collectAll(receivers));
      // Offered = what the source really sent to every client (timers slip; ticks are few at low rates).
      if (sentPerSec > 0) offeredPerSec = sentPerSec * run.connected;
      const cpu = server();
      const machineCores = machine();
      const gw = await system.gatewayStats?.();
      const perProbe = c.probes > 0 ? c.probePassings / c.probes : 0;
      const passingsDelivered = (perProbe * run.connected) / c.seconds;
      const deliveredPerSec = natural ? passingsDelivered : c.frames / c.seconds;
      const framesPerSec = c.frames / c.seconds;
      const updates = deliveredPerSec * c.seconds;
      const held = (c.latency.p99Ms ?? Infinity) < P99_LIMIT_MS && deliveredPerSec >= DELIVERY_FLOOR * offeredPerSec;
      return {
        load, burst, seconds: c.seconds, offeredPerSec, deliveredPerSec, framesPerSec, latency: c.latency,
        bytesPerFrame: c.frames > 0 ? c.bytes / c.frames : undefined,
        bytesPerPassing: natural && passingsDelivered > 0 ? c.bytes / (passingsDelivered * c.seconds) : undefined,
        serverCores: cpu.cores, helperCores: Object.fromEntries(helpers.map((h) => [h.name, h.meter().cores])),
        receiverCores: c.receiverCores, machineCores, serverCpuUsPerUpdate: updates > 0 ? (cpu.cpuSeconds * 1e6) / updates : undefined,
        gatewayPublishP99Ms: gw ? Math.max(...gw.map((g) => g.publish.p99Ms ?? 0)) : undefined,
        gatewayPublishMaxMs: gw ? Math.max(...gw.map((g) => g.publish.maxMs ?? 0)) : undefined,
        held, closed: c.closed,
      };
    };

    await setMode('natural');
    await collectAll(receivers);
    command({ cmd: 'natural', rate: plan.realisticRate, burst: true });
    const realistic = await measure(plan.realisticWindowMs, 0, true, plan.realisticRate, true);
    run.natural.push(realistic);
    log(`  ${info.label} ${clients} race (burst + ${plan.realisticRate.toFixed(2)}/s): ${Math.round(realistic.deliveredPerSec)} passings/s at clients, p99 ${fmt(realistic.latency.p99Ms)} ms, ${fmt(realistic.bytesPerPassing)} B/passing`);
    for (const rate of plan.naturalRates) {
      command({ cmd: 'natural', rate, burst: false });
      await sleep(plan.warmupMs);
      const step = await measure(plan.windowMs, rate * run.connected, true, rate);
      run.natural.push(step);
      log(`  ${info.label} ${clients} race ${rate}/s: ${Math.round(step.deliveredPerSec)} passings/s at clients, p99 ${fmt(step.latency.p99Ms)} ms, server ${step.serverCores.toFixed(2)} core${step.held ? '' : ' (did not hold)'}`);
      if (!step.held) break;
    }
    command({ cmd: 'idle' });
    // Natural first (its realistic row is the one users meet), then transport once the queues have drained.
    await drain(receivers, run.connected, plan.drainMs);

    await setMode('transport');
    for (const hz of plan.transportHz) {
      command({ cmd: 'transport', hz });
      await sleep(plan.warmupMs);
      const step = await measure(plan.windowMs, hz * run.connected, false, hz);
      run.transport.push(step);
      log(`  ${info.label} ${clients} transport ${hz} Hz (${Math.round((hz * run.connected) / 1000)}k/s): delivered ${Math.round(step.deliveredPerSec)}/s p99 ${fmt(step.latency.p99Ms)} ms server ${step.serverCores.toFixed(2)} core, receivers ${step.receiverCores.toFixed(2)}${step.held ? '' : ' (did not hold)'}`);
      if (!step.held) break;
    }

    command({ cmd: 'idle' });
  } catch (error) {
    run.error = (error as Error).message;
    log(`  ${info.label} ${clients}: ${run.error}`);
  } finally {
    await Promise.all(receivers.map((r) => r.stop()));
    await system.stop();
  }
  return run;
}

export const fmt = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decode } from '@msgpack/msgpack';
import { encodeFrame } from '../../../gateway/protocol.ts';
import { pin, type Child } from '../../fanout/child.ts';
import { CLIENT_CPU } from '../../fanout/systems.ts';
import { cpuMeter, cpuSeconds, machineMeter, writeBytes } from '../../fanout/proc.ts';
import { summarise, type LatencySummary } from '../../fanout/stats.ts';
import type { EdgeLoadStart, StartedRace } from './edge-load.ts';
import type { RaceSpec } from './races.ts';
import type { ConnectCommand } from './spectators.ts';
import { forkLoad, startLiveStack, type LiveStack } from './stack.ts';

/**
 * Live races on the whole stack, with their load: the edge agents playing the races in real time, the NATS probe and
 * spectator processes. What the live scenarios (passing to screen, late joins, slow spectators, memory) share.
 */
export interface LiveRaces {
  stack: LiveStack;
  races: StartedRace[];
  /** The engine's memory (after a full collection) before any race opened. */
  engineAtStart: NodeJS.MemoryUsage;
  /** Every load process (edge agents, probe, spectators), for CPU. */
  loadProcesses(): { name: string; pid: number }[];
  /**
   * Opens `count` spectators spread over the races (or each following all of them), in new processes of at most
   * `perProcess` (default 5,000) connections each.
   */
  connect(count: number, opts?: { spreadMs?: number; followAll?: boolean; perProcess?: number }): Promise<ConnectResult>;
  /** Starts a measurement window: every counter and sample reset, CPU and disk meters started. */
  window(): void;
  /** Ends the window: latencies at each point of the path, spectator counters, CPU of every process, disk writes. */
  collect(): Promise<WindowResult>;
  /**
   * Connects `count` spectators that follow every race and never read (stalled-spectators.py: a phone's small receive
   * buffer, so that they fill the gateway's queue in seconds, not minutes); resolves once all are connected.
   */
  stall(count: number, rcvbufBytes: number): Promise<void>;
  /** The gateway's metrics (prom-client JSON) and memory. */
  gatewayMetrics(): Promise<{ metrics: { name: string; values: { value: number; labels: Record<string, string> }[] }[]; memory: NodeJS.MemoryUsage }>;
  /** Stops the races and every process (once; later calls get the same summary). */
  stop(): Promise<{ passings: number; acked: number }>;
}

export interface ConnectResult {
  count: number;
  withSnapshot: number;
  failures: Record<string, number>;
  sinceStormUs: number[];
  sinceAttemptUs: number[];
}

export interface WindowResult {
  seconds: number;
  /** Passing → EDGE (edge agent's outbox and publish), → RACE (ingest, the owner's RACE write), → view (actor, coalescing), → screen. */
  toEdge: LatencySummary;
  toRace: LatencySummary;
  toView: LatencySummary;
  toScreen: LatencySummary;
  passings: number;
  diffs: number;
  /** Whether view race times were the passings' own (a check of the method). */
  agree: number;
  disagree: number;
  spectatorFrames: number;
  spectatorBytes: number;
  gaps: number;
  closed: number;
  cpu: { name: string; cores: number }[];
  machineCores: number;
  /** nats-server's disk writes (JetStream) in the window. */
  natsWriteBytesPerSec: number;
}

const PER_PROCESS = 5000;

export async function startLiveRaces(opts: {
  spec: RaceSpec;
  /** How long the races run; the processes stop by themselves a little later. */
  runMs: number;
  /** Every race opens at once; the first starts this long after (spectators join meanwhile), the others over staggerMs. */
  startAfterMs: number;
  staggerMs: number;
  log: (line: string) => void;
}): Promise<LiveRaces> {
  const lifetimeMs = opts.runMs + 60_000;
  const t0 = Date.now();
  const stack = await startLiveStack({ races: opts.spec, lifetimeMs, log: opts.log });
  opts.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const spectators: Child[] = [];
  const stalled: ChildProcess[] = [];
  try {
    const probeCreds = stack.nats.credentials('admin');
    const probe = forkLoad('./probe.ts', 'probe', lifetimeMs, { NATS_URL: stack.nats.url, NATS_USER: probeCreds.user, NATS_PASS: probeCreds.pass });
    await probe.next('ready');
    const { memory: engineAtStart } = await stack.engine.ask<{ memory: NodeJS.MemoryUsage }>({ cmd: 'memory' }, 'memory');
    const edge = forkLoad('./edge-load.ts', 'edge-agents', lifetimeMs);
    const start: EdgeLoadStart = {
      cmd: 'start', spec: opts.spec, devices: stack.devices, natsUrl: stack.nats.url, outboxDir: `${stack.dir}/outbox`,
      runMs: opts.runMs, startAfterMs: opts.startAfterMs, staggerMs: opts.staggerMs,
    };
    const { races } = await edge.ask<{ races: StartedRace[] }>(start, 'started');
    probe.proc.send({ cmd: 'races', races });
    await waitForViews(stack, races, 30_000);
    opts.log(`${races.length} races open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    let machine = machineMeter();
    let natsWrites = 0;
    let windowStart = 0;
    const processes = () => [...stack.processes(), ...loadProcesses()];
    const loadProcesses = () => [
      { name: 'edge agents', pid: edge.pid }, { name: 'NATS probe', pid: probe.pid },
      ...spectators.map((s, i) => ({ name: `spectators ${i + 1}`, pid: s.pid })),
      ...stalled.map((s) => ({ name: 'stalled spectators', pid: s.pid ?? 0 })),
    ];
    /** CPU meters of the processes running when the window began; a process started during it is measured from its start. */
    let meters = new Map<number, ReturnType<typeof cpuMeter>>();
    let stopped: Promise<{ passings: number; acked: number }> | undefined;
    const live: LiveRaces = {
      stack, races, engineAtStart, loadProcesses,
      async connect(count, connectOpts = {}) {
        const perProcess = connectOpts.perProcess ?? PER_PROCESS;
        const shares = Array.from({ length: Math.ceil(count / perProcess) }, (_, i) => ({ first: i * perProcess, n: Math.min(perProcess, count - i * perProcess) }));
        // Every process first, then every connect command at once: a storm starts everywhere together.
        const base = spectators.length;
        const children = shares.map((_, i) => forkLoad('./spectators.ts', `spectators ${base + i + 1}`, lifetimeMs));
        spectators.push(...children);
        await Promise.all(children.map((c) => c.next('ready')));
        const made = shares.map(({ first, n }, i) => {
          const command: ConnectCommand = {
            cmd: 'connect', url: stack.gatewayUrl, races, count: n, first, followAll: connectOpts.followAll ?? false,
            spreadMs: connectOpts.spreadMs ?? 0, concurrency: 200, timeoutMs: 60_000,
          };
          return children[i]!.ask<ConnectResult>(command, 'connected', 90_000);
        });
        const results = await Promise.all(made);
        const failures: Record<string, number> = {};
        for (const r of results) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
        return {
          count: results.reduce((s, r) => s + r.count, 0),
          withSnapshot: results.reduce((s, r) => s + r.withSnapshot, 0),
          failures,
          sinceStormUs: results.flatMap((r) => r.sinceStormUs),
          sinceAttemptUs: results.flatMap((r) => r.sinceAttemptUs),
        };
      },
      window() {
        probe.proc.send({ cmd: 'window' });
        for (const s of spectators) s.proc.send({ cmd: 'window' });
        meters = new Map(processes().map((p) => [p.pid, cpuMeter([p.pid])]));
        machine = machineMeter();
        natsWrites = writeBytes(stack.nats.pid);
        windowStart = performance.now();
      },
      async collect() {
        const seconds = (performance.now() - windowStart) / 1000;
        const cpu = processes().map((proc) => ({ name: proc.name, cores: meters.get(proc.pid)?.().cores ?? (cpuSeconds(proc.pid) ?? 0) / seconds }));
        const machineCores = machine();
        const natsWriteBytesPerSec = (writeBytes(stack.nats.pid) - natsWrites) / seconds;
        const p = await probe.ask<{ toEdgeUs: number[]; toRaceUs: number[]; toViewUs: number[]; passings: number; diffs: number; agree: number; disagree: number }>({ cmd: 'collect' }, 'collected');
        const s = await Promise.all(spectators.map((c) => c.ask<{ latencyUs: number[]; frames: number; bytes: number; gaps: number; closed: number }>({ cmd: 'collect' }, 'collected')));
        return {
          seconds,
          toEdge: summarise(p.toEdgeUs), toRace: summarise(p.toRaceUs), toView: summarise(p.toViewUs), toScreen: summarise(s.flatMap((x) => x.latencyUs)),
          passings: p.passings, diffs: p.diffs, agree: p.agree, disagree: p.disagree,
          spectatorFrames: s.reduce((a, x) => a + x.frames, 0), spectatorBytes: s.reduce((a, x) => a + x.bytes, 0),
          gaps: s.reduce((a, x) => a + x.gaps, 0), closed: s.reduce((a, x) => a + x.closed, 0),
          cpu,
          machineCores, natsWriteBytesPerSec,
        };
      },
      async stall(count, rcvbufBytes) {
        const url = new URL(stack.gatewayUrl);
        const frames = races.map((r) => Buffer.from(encodeFrame({ type: 'subscribe', track: r.track, session: r.session })).toString('hex'));
        const child = spawn('python3', [fileURLToPath(new URL('./stalled-spectators.py', import.meta.url)), url.hostname, url.port, String(count),
          String(Math.ceil(lifetimeMs / 1000)), String(rcvbufBytes), ...frames], { stdio: ['ignore', 'pipe', 'inherit'] });
        stalled.push(child);
        pin(child.pid ?? 0, CLIENT_CPU);
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().startsWith('ready')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`stalled-spectators.py exited with ${code} before it was ready`)));
        });
      },
      gatewayMetrics: () => stack.gateway.ask({ cmd: 'metrics' }, 'metrics'),
      stop: () => (stopped ??= (async () => {
        const summary = await edge.ask<{ passings: number; acked: number }>({ cmd: 'stop' }, 'stopped', 15_000).catch(() => ({ passings: 0, acked: 0 }));
        for (const c of [...spectators, edge, probe]) await c.stop();
        for (const c of stalled) c.kill('SIGKILL');
        await stack.stop();
        return summary;
      })()),
    };
    return live;
  } catch (error) {
    for (const c of spectators) await c.stop();
    for (const c of stalled) c.kill('SIGKILL');
    await stack.stop();
    throw error;
  }
}

/** Waits until the engine answers a snapshot of every race (its session actor is live). */
async function waitForViews(stack: LiveStack, races: StartedRace[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (const race of races) {
    for (;;) {
      try {
        const reply = await stack.admin.request(`view.snapshot.${race.track}.${race.session}`, undefined, { timeout: 1000 });
        if ((decode(reply.data) as { view?: unknown }).view) break;
      } catch {
        // not live yet
      }
      if (Date.now() > deadline) throw new Error(`${race.track}/${race.session}: no session actor answered within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** CPU cores by process, busiest first, as "gateway 0.42, engine 0.31, …". */
export function cpuText(cpu: { name: string; cores: number }[]): string {
  return [...cpu].sort((a, b) => b.cores - a.cores).map((c) => `${c.name} ${c.cores.toFixed(2)}`).join(', ');
}

export const ms = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US'));

import type { LatencySummary } from '../../fanout/stats.ts';
import type { GpsCounters } from './gps-metrics.ts';
import type { ScenarioResult, TargetResult } from '../scenario.ts';
import { describeStalls } from './worst-per-second.ts';

type Cpu = { cores: number; cpuSeconds: number };

/** Everything one run of the GPS riders scenario measured (gps-riders.ts), as the report reads it. */
export interface GpsRun {
  quick: boolean;
  sizes: { races: number; riders: number; spectatorsPerRace: number; baselineMs: number; warmupMs: number; windowMs: number };
  setupSeconds: { stack: number; races: number; credentials: number };
  /** How long race control's `open` of each race took to be answered, in the order opened (ms). */
  opensMs: number[];
  /** The servers with spectators and silent riders connected: the peer. */
  baseline: { gateway: Cpu; engine: Cpu; nats: Cpu };
  cpu: { gateway: Cpu; engine: Cpu; nats: Cpu; load: Cpu; machineBusy: number };
  /** Cores used by each server and the whole machine in each second of the window (cpu-timeline.ts). */
  cpuPerSecond: Record<string, number[]>;
  /** JetStream API answer time each second of the window (ms; -1: the previous request was still out): js-api-latency.ts. */
  jsApiMsPerSecond: number[];
  /** Bytes stream EDGE held each second of the window (-1: not known that second). */
  edgeBytesPerSecond: number[];
  /** Writes to each JetStream stream over the window, and its bytes and consumers at the end (stream-traffic.ts). */
  streams: Record<string, { writes: number; bytesNow: number; consumersNow: number }>;
  /** The gateway's counters over the window, and at the end of the run. */
  window: GpsCounters;
  total: GpsCounters;
  riders: {
    sentWs: number; sentOsmand: number; ackedWs: number; ackedOsmand: number; failed: number; unanswered: number; closed: number;
    refused: Record<string, number>; ackWsUs: number[]; ackOsmandUs: number[]; sendLagUs: number[]; worstAckUs: number[];
  };
  spectators: { frames: number; positionsFrames: number; samples: number; distinctFixes: number; closed: number; latencyUs: number[]; worstUs: number[] };
  fixToMap: LatencySummary;
  ackWs: LatencySummary;
  ackOsmand: LatencySummary;
  sendLag: LatencySummary;
}

const TARGET_P99_MS = 1000;
const TARGET_RIDERS = 500;
const ms = (v: number | undefined) => (v === undefined ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const row = (name: string, l: LatencySummary) => `| ${name} | ${l.count.toLocaleString('en')} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${ms(l.maxMs)} |`;

/**
 * The window's seconds whose worst fix-to-map latency was over 500 ms, with what each server and the machine used
 * then (cores): a stall with our servers idle and the machine full is starvation by others' work, not our path.
 */
function stallSeconds(run: GpsRun): string[] {
  const bad = run.spectators.worstUs.flatMap((v, i) => (v > 500_000 ? [i] : []));
  if (bad.length === 0) return [];
  const c = run.cpuPerSecond;
  const cell = (name: string, i: number) => c[name]?.[i]?.toFixed(2) ?? '–';
  const api = (i: number) => (run.jsApiMsPerSecond[i] === undefined ? '–' : run.jsApiMsPerSecond[i] === -1 ? 'still waiting' : String(run.jsApiMsPerSecond[i]));
  return ['', '| second of the window | worst fix to map (ms) | gateway | engine | nats-server | machine (everyone, of 2) | JetStream API answer (ms) | EDGE holds (MiB) |', '|---|---|---|---|---|---|---|---|',
    ...bad.slice(0, 20).map((i) => `| ${i} | ${ms(run.spectators.worstUs[i]! / 1000)} | ${cell('gateway', i)} | ${cell('engine', i)} | ${cell('nats', i)} | ${cell('machine', i)} | ${api(i)} | ${mib(run.edgeBytesPerSecond[i])} |`),
    `| median of all seconds | ${ms(median(run.spectators.worstUs) / 1000)} | ${['gateway', 'engine', 'nats', 'machine'].map((n) => median(c[n] ?? []).toFixed(2)).join(' | ')} | ${median(run.jsApiMsPerSecond)} | – |`, ''];
}

/**
 * Where the first acknowledgement stall of the window came: how far into the riding, how many fixes had been sent by
 * then, and what EDGE held. The riders' rate is fixed, so a stall that comes at the same point run after run is tied
 * to what the stream holds, not to a timer since start (set-up times vary by seconds).
 */
function atWhatSize(run: GpsRun): string {
  const warmupS = run.sizes.warmupMs / 1000;
  const first = run.riders.worstAckUs.findIndex((v, i) => i >= warmupS && v > 500_000);
  if (first < 0) return '';
  const bytes = run.edgeBytesPerSecond[first - warmupS];
  const riders = run.sizes.races * run.sizes.riders;
  return `The first acknowledgement stall of the window began ${first} s into the riding (about ${(first * riders).toLocaleString('en')} fixes sent)` +
    `${bytes !== undefined && bytes >= 0 ? `, with EDGE holding ${mib(bytes)} MiB` : ''}. `;
}

const mib = (b: number | undefined) => (b === undefined || b < 0 ? '–' : (b / 1024 ** 2).toFixed(2));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The scenario's section of the report: numbers, the target computed from them, and what went wrong if anything. */
export function renderGpsRiders(run: GpsRun): ScenarioResult {
  const { sizes, cpu, baseline, window } = run;
  const riders = sizes.races * sizes.riders;
  const windowSec = sizes.windowMs / 1000;
  const fixes = window.storedWs + window.storedOsmand;
  const perFix = (seconds: number) => (fixes > 0 ? (seconds / fixes) * 1e6 : undefined);
  const net = (name: 'gateway' | 'engine' | 'nats') => cpu[name].cpuSeconds - baseline[name].cores * windowSec;
  const refused = Object.values(run.riders.refused).reduce((a, b) => a + b, 0);
  const lost = refused + run.riders.failed + run.riders.unanswered;
  const sent = run.riders.sentWs + run.riders.sentOsmand;

  const p99 = run.fixToMap.p99Ms;
  const status: TargetResult['status'] = p99 === undefined ? 'not measured'
    // Quick runs 300 riders in 4 races over a 5 s window: smaller than the issue's 10 × 50, so indicative.
    : riders < TARGET_RIDERS || run.quick ? 'indicative' : p99 < TARGET_P99_MS ? 'met' : 'not met';
  const measured = p99 === undefined ? 'no fix reached a spectator\'s map'
    : `p99 ${ms(p99)} ms, p50 ${ms(run.fixToMap.p50Ms)} ms (${riders} riders, ${sizes.races} races, ${sizes.races * sizes.spectatorsPerRace} spectators, ${windowSec} s window${run.quick ? ', quick' : ''})`;

  const findings: string[] = [];
  if (lost > 0) {
    findings.push(`${lost} of ${sent} fixes sent were not stored: ${refused} refused (${Object.entries(run.riders.refused).map(([k, v]) => `${k} ${v}`).join(', ')}), ${run.riders.failed} failed, ${run.riders.unanswered} unanswered after 5 s.`);
  }
  if (p99 !== undefined && p99 >= TARGET_P99_MS) findings.push(`Fix-to-map p99 ${ms(p99)} ms is over the ${TARGET_P99_MS} ms target with ${riders} riders.`);
  if ((run.sendLag.p99Ms ?? 0) > 50) {
    findings.push(`The rider load itself fell behind its schedule (send lag p99 ${ms(run.sendLag.p99Ms)} ms, its process at ${cpu.load.cores.toFixed(2)} cores with the spectators): latencies include that.`);
  }
  const stalls = run.spectators.worstUs.flatMap((v, i) => (v > 500_000 ? [i] : []));
  const ackStalls = run.riders.worstAckUs.flatMap((v, i) => (v > 500_000 ? [i] : []));
  if (stalls.length > 0 || ackStalls.length > 0) {
    const inStall = (name: string) => median(stalls.map((i) => run.cpuPerSecond[name]?.[i] ?? 0)).toFixed(2);
    findings.push(`The tails are stalls, not a slow path: fix to map ${describeStalls(run.spectators.worstUs, 500)} of the window, acknowledgements ${describeStalls(run.riders.worstAckUs, 500)} of the run; ` +
      `the other seconds' worst is ${ms(median(run.spectators.worstUs) / 1000)} ms (median). ` +
      (stalls.length ? `In the stalled seconds nats-server used ${inStall('nats')} cores (median; ${median(run.cpuPerSecond.nats ?? []).toFixed(2)} over the window) while the gateway used ${inStall('gateway')} (${median(run.cpuPerSecond.gateway ?? []).toFixed(2)}): the gateway waits on NATS. ` : '') +
      atWhatSize(run) +
      'A fix no longer waits for the gateway\'s re-reading of KV events (gateway/rest/declarations.ts serveStale), so a stall of the JetStream API holds up the acknowledgements (they wait for EDGE to store the fix) but not the map. Cause of the stalls not found yet. Not EDGE\'s consumers nor the key lookups alone: a one-off probe on 2026-12-06 (500 fixes a second into EDGE with the engine\'s two consumers and the OsmAnd key lookups, its own nats-server, 70 s) used 0.06–0.08 cores and did not stall.');
  }
  const crowded = Object.entries(run.streams).filter(([, st]) => st.consumersNow > 20);
  if (crowded.length) {
    findings.push(`Consumers pile up: ${crowded.map(([name, st]) => `${name} ${st.consumersNow}`).join(', ')} at the end of the window. KV \`keys()\` (@nats-io/kv) creates an ordered consumer each call, which the server keeps 5 minutes after use (inactive_threshold); ` +
      'the riders\' declaration reader (gateway/rest/declarations.ts, cached 2 s, re-read in the background) lists KV events again every 2 s while fixes arrive (~150 alive at steady state), and issuing device keys lists KV identity once per key. A watch kept open would read the same with one consumer. Not fixed here.');
  }
  const slowest = Math.max(...run.opensMs);
  if (slowest > 2000) {
    findings.push(`Race control's \`open\` of a GPS race is answered later with every session the engine already hosts: ${run.opensMs.map((m) => (m / 1000).toFixed(1)).join(', ')} s for races 1–${run.opensMs.length}. ` +
      'engine/ownership/session-claims.ts waits held sessions × checkMs (500 ms at the default 3 s lease TTL) before it claims a new session, to let emptier engines take it first, even one its own ingest has just opened; ' +
      'with one engine nobody else takes it, and `open` waits for the claim (ingest.ts OPEN_DECLARED_WAIT_MS, 6 s), so by that arithmetic the 13th race opened on one engine is answered with an error (it still opens when claimed). Not fixed here: the spreading rule belongs to the ownership design (a cap, or skipping the wait when no other engine is alive, are candidates).');
  }
  if (run.setupSeconds.credentials > 3) {
    findings.push(`Issuing ${riders} riders' credentials took ${run.setupSeconds.credentials.toFixed(1)} s (16 at a time, alongside the opens). Most of it is the device keys: issueRiderCredentials (oidc/riders.ts) revokes the entry's earlier keys by listing every \`traccar.*\` key and reading each, so the n-th key costs n − 1 KV reads (a separate probe on this machine: 250 competitor tokens 1.4 s, 250 device keys 5.2 s). Harmless one \`pitwall rider token\` at a time; a bulk issue for a big field would want an index of keys by entry. Not fixed here.`);
  }
  if (run.spectators.closed > 0 || run.riders.closed > 0) findings.push(`${run.spectators.closed} spectator and ${run.riders.closed} rider connections closed during the run.`);

  const body = [
    `| latency (ms) | samples | p50 | p99 | max |`,
    `|---|---|---|---|---|`,
    row('fix to map (send → spectator\'s `positions` frame)', run.fixToMap),
    row('acknowledgement, rider page (WebSocket `position` reply)', run.ackWs),
    row('acknowledgement, Traccar Client (OsmAnd HTTP 200)', run.ackOsmand),
    row('rider load\'s lag behind its schedule', run.sendLag),
    '',
    `| process | CPU over the window (cores) | peer: no fixes (cores) | CPU s for the fixes (window − peer) | µs per fix stored |`,
    `|---|---|---|---|---|`,
    ...(['gateway', 'engine', 'nats'] as const).map((name) => `| ${name === 'nats' ? 'nats-server' : name === 'engine' ? 'engine (its GPS ingest reads every fix)' : '**gateway**'} | ` +
      `${cpu[name].cores.toFixed(3)} | ${baseline[name].cores.toFixed(3)} | ${net(name).toFixed(2)} | ${name === 'gateway' ? '**' : ''}${ms(perFix(net(name)))}${name === 'gateway' ? '**' : ''} |`),
    `| load processes (riders + spectators, core 1) | ${cpu.load.cores.toFixed(3)} | – | ${cpu.load.cpuSeconds.toFixed(2)} | – |`,
    '',
    `In the ${windowSec} s window the gateway stored ${fixes.toLocaleString('en')} fixes (${window.storedWs.toLocaleString('en')} over WebSocket, ${window.storedOsmand.toLocaleString('en')} over OsmAnd; ` +
      `${(fixes / windowSec).toFixed(0)} a second for ${riders} riders at one a second), showed ${window.shown.toLocaleString('en')} on maps, and counted ${window.inputErrors} input errors. ` +
      `Spectators received ${run.spectators.positionsFrames.toLocaleString('en')} \`positions\` frames carrying ${run.spectators.samples.toLocaleString('en')} rider samples of ${run.spectators.distinctFixes.toLocaleString('en')} distinct fixes.`,
    `Tails over time: fix to map, ${describeStalls(run.spectators.worstUs, 500)} of the window; acknowledgements, ${describeStalls(run.riders.worstAckUs, 500)} of the run (warm-up included).`,
    `JetStream writes in the window: ${Object.entries(run.streams).map(([name, st]) => `${name} ${st.writes.toLocaleString('en')} (${st.consumersNow} consumers, ${(st.bytesNow / 1024 ** 2).toFixed(1)} MiB held)`).join('; ')}.`,
    ...stallSeconds(run),
    `Over the whole run the riders sent ${sent.toLocaleString('en')} fixes: ${(run.riders.ackedWs + run.riders.ackedOsmand).toLocaleString('en')} acknowledged, ${refused} refused, ${run.riders.failed} failed, ${run.riders.unanswered} unanswered.`,
    `Noise: the machine had ${cpu.machineBusy.toFixed(2)} of 2 cores busy during the window, ours included (ours: ${(cpu.gateway.cores + cpu.engine.cores + cpu.nats.cores + cpu.load.cores).toFixed(2)}); other engineers' benchmarks share it, so the latencies' tails and the CPU figures move between runs. ` +
      `Set-up (outside the window): the stack up in ${run.setupSeconds.stack.toFixed(1)} s; race control's opens ${run.opensMs.map((m) => (m / 1000).toFixed(1)).join(', ')} s; ${riders} riders' credentials in ${run.setupSeconds.credentials.toFixed(1)} s, alongside the opens.`,
  ];
  const { riders: _r, spectators: _s, ...data } = run;
  const series = { worstFixToMapMsPerSecond: run.spectators.worstUs.map((v) => Math.round(v / 1000)), worstAckMsPerSecond: run.riders.worstAckUs.map((v) => Math.round(v / 1000)) };
  return { body, targets: [{ target: `GPS fix-to-map p99 under 1 s with ${TARGET_RIDERS} riders`, measured, status }], findings, data: { run: { ...data, ...series } } };
}

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClickHouseHttp, quote, type ClickHouseHttp } from '../../engine/clickhouse/http.ts';
import { LAP_SINK_CONSUMER } from '../../engine/lap-sink.ts';
import { forkTs, pin, type Child } from '../fanout/child.ts';
import { cpuMeter, machineMeter } from '../fanout/proc.ts';
import { summarise } from '../fanout/stats.ts';
import type { LapTimes } from './lap-load.ts';
import { startLapServers, type LapServers } from './lap-servers.ts';
import type { InsertRecord, SinkStats } from './lap-sink-proc.ts';
import { watchLaps } from './lap-visibility.ts';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.ts';

/**
 * Issue 17, scenario 5: laps per second through the lap sink into ClickHouse with acknowledgement, against a direct
 * batched insert of the same rows (the ceiling); and the ingest lag of a start burst of 100 cars over a background of
 * other live sessions, split into stages (waiting in the sink's batch, the insert, insert-to-queryable).
 */
const SINK_CPU = 1;
const LOAD_CPU = 0;
const SINK_BATCH = 500; // engine/batch-sink.ts's default batch, which the engine uses

interface Plan {
  backlog: number;
  /** Backlog rounds, in order: the sink with the RACE archive beside it (as the engine runs it) or alone. */
  rounds: boolean[];
  rate: { perSec: number; seconds: number } | undefined;
  bursts: number;
  background: { lapsPerSec: number; sessions: number };
}

const PLANS: Record<'quick' | 'full', Plan> = {
  quick: { backlog: 8000, rounds: [true, false], rate: undefined, bursts: 2, background: { lapsPerSec: 20, sessions: 20 } },
  full: { backlog: 50_000, rounds: [true, false, true], rate: { perSec: 500, seconds: 15 }, bursts: 5, background: { lapsPerSec: 20, sessions: 20 } },
};

const round1 = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
const ms = (us: number) => us / 1000;

function method(quick: boolean): string[] {
  const p = PLANS[quick ? 'quick' : 'full'];
  return [
    'Real servers on loopback: nats-server (RACE with the engine\'s limits) and clickhouse-server 18.16 (the engine\'s schema), started for this scenario and killed by PID.',
    `The sink process runs the real \`startLapSink\` (batch ${SINK_BATCH}, the engine's defaults) and, where said, the real RACE archive beside it on the same connection, as the engine process does; pinned to core ${SINK_CPU}. Its ClickHouse client is wrapped only to record each insert's rows, start and end; the sink acks a batch right after its insert resolves, so an insert's end is its laps' ack.`,
    `The load process (pinned to core ${LOAD_CPU}) writes RACE as the session actor does: \`timing.bench.<session>.lap\` with message id \`lapMsgId\`, preceded by the passing that completed the lap, plus one tick a second per live session.`,
    `Throughput: ${p.backlog.toLocaleString('en')} laps are published while no sink runs, then a new sink process drains them; rate = laps / (sink ready → last ack). Rounds: ${p.rounds.map((a) => (a ? 'with archive' : 'alone')).join(', ')}. Every lap must be in \`laps\` exactly once (count with and without FINAL) and the consumer must have nothing pending or unacked.`,
    `Peer (the ceiling): the same rows inserted straight into \`laps\` with the engine's ClickHouse client in batches of ${SINK_BATCH}, one after another, from a process on core ${SINK_CPU}; no NATS. Run before each round.`,
    p.rate ? `Sustained: ${p.rate.perSec} laps/s for ${p.rate.seconds} s; lag publish → ack per lap.` : 'Sustained rate: full run only.',
    `Start burst (${p.bursts}×): a background of ${p.background.sessions} other live sessions (${p.background.lapsPerSec} laps/s with their passings, ticks) runs; 100 cars cross the line within 2 s (a passing and a lap each). Per lap: publish → ack (insert end) and publish → queryable (first poll of \`SELECT car, lap FROM laps WHERE session = …\` every 10 ms that returns it).`,
  ];
}

function childEnv(servers: LapServers, archive: boolean): NodeJS.ProcessEnv {
  return {
    BENCH_NATS_URL: servers.natsUrl, BENCH_NATS_USER: servers.engine.user, BENCH_NATS_PASS: servers.engine.pass,
    BENCH_CLICKHOUSE: JSON.stringify(servers.clickhouse), BENCH_ARCHIVE: archive ? '1' : '0',
  };
}

async function startChild(module: string, name: string, env: NodeJS.ProcessEnv, cpu: number, lifetimeMs: number): Promise<Child> {
  const child = forkTs(new URL(module, import.meta.url), name, { env, lifetimeMs });
  pin(child.pid, cpu);
  await child.next('ready', 30_000);
  return child;
}

async function stopSink(sink: Child): Promise<void> {
  sink.proc.send({ type: 'stop' });
  await Promise.race([new Promise((r) => sink.proc.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
  await sink.stop();
}

const count = async (ch: ClickHouseHttp, sql: string) => Number((await ch.rows<{ n: string }>(sql))[0]?.n ?? 0);

interface Round {
  archive: boolean;
  laps: number;
  seconds: number;
  lapsPerSec: number;
  peerLapsPerSec: number;
  ratio: number;
  inserts: number;
  meanInsertMs: number;
  insertShare: number;
  cpu: { sink: number; nats: number; clickhouse: number; machine: number };
  exactlyOnce: boolean;
  check: string;
}

export const lapSinkScenario: Scenario = {
  id: 'lap-sink',
  title: '5. Lap sink',
  method,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const plan = PLANS[ctx.quick ? 'quick' : 'full'];
    const lifetimeMs = Math.max(10_000, ctx.deadline - Date.now() + 5000);
    const left = () => ctx.deadline - Date.now();
    const servers = await startLapServers(ctx.log);
    const children: Child[] = [];
    let closeNats = async () => undefined as unknown;
    const findings: string[] = [];
    const body: string[] = [];
    const data: Record<string, unknown> = {};
    try {
      const ch = createClickHouseHttp(servers.clickhouse);
      const nc = await connect({ servers: servers.natsUrl, ...servers.engine });
      closeNats = () => nc.close();
      const jsm = await jetstreamManager(nc);
      const load = await startChild('./lap-load.ts', 'lap-load', childEnv(servers, false), LOAD_CPU, lifetimeMs);
      const peer = await startChild('./lap-peer.ts', 'lap-peer', childEnv(servers, false), SINK_CPU, lifetimeMs);
      children.push(load, peer);

      // (a) Throughput: a backlog drained by a fresh sink process, the peer before each round.
      const rounds: Round[] = [];
      for (const [i, archive] of plan.rounds.entries()) {
        if (left() < (ctx.quick ? 9000 : 40_000)) break;
        const n = plan.backlog;
        const peerDone = await peer.ask<{ seconds: number; error?: string }>({ type: 'insert', session: `peer-${i}`, count: n, batch: SINK_BATCH }, 'done', left());
        if (peerDone.error) throw new Error(`peer: ${peerDone.error}`);
        const session = `backlog-${i}`;
        const published = await load.ask<{ error?: string }>({ type: 'backlog', session, count: n }, 'done', left());
        if (published.error) throw new Error(`load: ${published.error}`);
        const sink = await startChild('./lap-sink-proc.ts', `lap-sink-${i}`, childEnv(servers, archive), SINK_CPU, lifetimeMs);
        const readyUs = Math.round((performance.timeOrigin + performance.now()) * 1000);
        const cpuSink = cpuMeter([sink.pid]);
        const cpuNats = cpuMeter([servers.natsPid]);
        const cpuCh = cpuMeter([servers.clickhousePid]);
        const machine = machineMeter();
        const inserts: InsertRecord[] = [];
        let inserted = 0;
        // A new sink process counts from 0; its durable consumer resumes after the earlier rounds' laps.
        while (inserted < n && left() > 3000) {
          await new Promise((r) => setTimeout(r, 100));
          const stats = await sink.ask<SinkStats>({ type: 'stats' }, 'stats');
          inserted = stats.inserted;
          inserts.push(...stats.inserts);
        }
        const lapInserts = inserts.filter((r) => r.table === 'laps');
        const lastEnd = Math.max(...lapInserts.map((r) => r.endUs));
        const seconds = (lastEnd - readyUs) / 1e6;
        const used = { sink: cpuSink().cores, nats: cpuNats().cores, clickhouse: cpuCh().cores, machine: machine() };
        await stopSink(sink);
        const final = await count(ch, `SELECT count() AS n FROM laps FINAL WHERE session = ${quote(session)}`);
        const raw = await count(ch, `SELECT count() AS n FROM laps WHERE session = ${quote(session)}`);
        const info = await jsm.consumers.info('RACE', LAP_SINK_CONSUMER);
        const exactlyOnce = final === n && raw === n && info.num_pending === 0 && info.num_ack_pending === 0;
        const insertUs = lapInserts.reduce((s, r) => s + r.endUs - r.startUs, 0);
        const round: Round = {
          archive, laps: inserted, seconds, lapsPerSec: (inserted) / seconds, peerLapsPerSec: n / peerDone.seconds,
          ratio: (inserted) / seconds / (n / peerDone.seconds), inserts: lapInserts.length,
          meanInsertMs: insertUs / lapInserts.length / 1000, insertShare: insertUs / 1e6 / seconds, cpu: used, exactlyOnce,
          check: `${final} rows FINAL, ${raw} without, ${info.num_pending} pending, ${info.num_ack_pending} unacked`,
        };
        rounds.push(round);
        ctx.log(`round ${i + 1} (${archive ? 'with archive' : 'alone'}): ${round.lapsPerSec.toFixed(0)} laps/s, peer ${round.peerLapsPerSec.toFixed(0)}, ratio ${round.ratio.toFixed(2)}; ${round.check}`);
        if (!exactlyOnce) findings.push(`Backlog round ${i + 1}: not every lap exactly once: ${round.check} (expected ${n}).`);
      }
      data.rounds = rounds;

      // (a') Sustained rate and (b) start bursts: one sink process with the archive, as the engine runs it.
      const sink = await startChild('./lap-sink-proc.ts', 'lap-sink-live', childEnv(servers, true), SINK_CPU, lifetimeMs);
      children.push(sink);
      const drainStats = async () => {
        const stats = await sink.ask<SinkStats>({ type: 'stats' }, 'stats');
        return stats.inserts;
      };
      await new Promise((r) => setTimeout(r, 1500)); // the first fetch of the new consumer
      await drainStats();
      let sustained: Record<string, unknown> | undefined;
      if (plan.rate && left() > plan.rate.seconds * 1000 + 60_000) {
        const { perSec, seconds } = plan.rate;
        const times = await load.ask<LapTimes>({ type: 'rate', session: 'timed-rate', perSec, seconds }, 'done', left());
        const inserts: InsertRecord[] = [];
        const want = perSec * seconds;
        for (let t = 0; t < 100 && inserts.filter((r) => r.table === 'laps').flatMap((r) => r.burstLaps ?? []).length < want; t++) {
          await new Promise((r) => setTimeout(r, 100));
          inserts.push(...(await drainStats()));
        }
        const lagUs: number[] = [];
        for (const r of inserts) for (const key of r.burstLaps ?? []) if (times.publishedUs[key] !== undefined) lagUs.push(r.endUs - times.publishedUs[key]!);
        sustained = { perSec, seconds, acked: lagUs.length, lag: summarise(lagUs), inserts: inserts.filter((r) => r.table === 'laps').length };
        ctx.log(`sustained ${perSec} laps/s: ${lagUs.length} acked, lag ${JSON.stringify(summarise(lagUs))}`);
      }
      data.sustained = sustained;

      await load.ask({ type: 'background', ...plan.background }, 'done');
      await new Promise((r) => setTimeout(r, 2000));
      await drainStats();
      const bursts: Record<string, unknown>[] = [];
      const all = { ack: [] as number[], seen: [] as number[], wait: [] as number[], insert: [] as number[], after: [] as number[], whole: [] as number[] };
      for (let b = 0; b < plan.bursts && left() > 8000; b++) {
        const session = `timed-burst-${b}`;
        const watching = watchLaps(ch, session, 100, { everyMs: 10, timeoutMs: Math.min(15_000, left() - 3000) });
        const times = await load.ask<LapTimes>({ type: 'burst', session, cars: 100, spreadMs: 2000 }, 'done', left());
        const visible = await watching;
        await new Promise((r) => setTimeout(r, 200));
        const inserts = await drainStats();
        const lapInserts = inserts.filter((r) => r.table === 'laps' && r.burstLaps?.some((k) => k.startsWith(`${session}/`)));
        const insertOf = new Map<string, InsertRecord>();
        for (const r of lapInserts) for (const key of r.burstLaps ?? []) insertOf.set(key, r);
        const lag = { ack: [] as number[], seen: [] as number[], wait: [] as number[], insert: [] as number[], after: [] as number[] };
        for (const [key, pub] of Object.entries(times.publishedUs)) {
          const r = insertOf.get(key);
          const seen = visible.seenUs[key];
          if (r) {
            lag.ack.push(r.endUs - pub);
            lag.wait.push(r.startUs - pub);
            lag.insert.push(r.endUs - r.startUs);
          }
          if (seen !== undefined) lag.seen.push(seen - pub);
          if (seen !== undefined && r) lag.after.push(seen - r.endUs);
        }
        const firstPub = Math.min(...Object.values(times.publishedUs));
        const lastSeen = Math.max(...Object.values(visible.seenUs));
        const whole = Object.keys(visible.seenUs).length === 100 ? lastSeen - firstPub : undefined;
        for (const k of ['ack', 'seen', 'wait', 'insert', 'after'] as const) all[k].push(...lag[k]);
        if (whole !== undefined) all.whole.push(whole);
        const burst = {
          session, seen: Object.keys(visible.seenUs).length, acked: lag.ack.length, inserts: lapInserts.length,
          insertRows: lapInserts.map((r) => r.rows), wholeMs: whole === undefined ? undefined : ms(whole),
          ack: summarise(lag.ack), seenLag: summarise(lag.seen), polls: visible.polls, meanPollMs: visible.meanPollMs,
        };
        bursts.push(burst);
        ctx.log(`burst ${b + 1}: ${burst.seen}/100 queryable, whole burst in ${round1(burst.wholeMs)} ms; ack p50 ${round1(burst.ack.p50Ms)} p99 ${round1(burst.ack.p99Ms)} ms; ${lapInserts.length} inserts`);
      }
      await load.ask({ type: 'background', lapsPerSec: 0 }, 'done');
      data.bursts = bursts;
      const parts = await ch.rows<{ table: string; n: string }>(`SELECT table, count() AS n FROM system.parts WHERE database = 'pitwall' AND active GROUP BY table`);
      data.activeParts = parts;

      // The report.
      body.push('### Throughput (backlog drained with acknowledgement)', '');
      body.push('| round | sink | laps | laps/s through the sink | peer (direct insert) laps/s | ratio | inserts (mean ms) | time in insert | CPU sink / nats / clickhouse / machine (cores) | exactly once |');
      body.push('|---|---|---|---|---|---|---|---|---|---|');
      for (const [i, r] of rounds.entries()) {
        body.push(`| ${i + 1} | ${r.archive ? 'with RACE archive' : 'alone'} | ${r.laps.toLocaleString('en')} | ${r.lapsPerSec.toFixed(0)} | ${r.peerLapsPerSec.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.inserts} (${r.meanInsertMs.toFixed(1)}) | ${(r.insertShare * 100).toFixed(0)} % | ${r.cpu.sink.toFixed(2)} / ${r.cpu.nats.toFixed(2)} / ${r.cpu.clickhouse.toFixed(2)} / ${r.cpu.machine.toFixed(2)} | ${r.exactlyOnce ? 'yes' : 'NO'}: ${r.check} |`);
      }
      const peers = rounds.map((r) => r.peerLapsPerSec);
      if (peers.length > 1) body.push('', `Noise: the peer alone ranged ${Math.min(...peers).toFixed(0)}–${Math.max(...peers).toFixed(0)} laps/s over the rounds (same work each time).`);
      if (sustained) {
        const l = sustained.lag as ReturnType<typeof summarise>;
        body.push('', `### Sustained`, '', `${sustained.perSec} laps/s for ${sustained.seconds} s: ${sustained.acked} laps acked; publish → ack p50 ${round1(l.p50Ms)} ms, p99 ${round1(l.p99Ms)} ms, max ${round1(l.maxMs)} ms in ${sustained.inserts} inserts.`);
      }
      const s = (xs: number[]) => summarise(xs);
      const row = (name: string, xs: number[]) => {
        const v = s(xs);
        return `| ${name} | ${round1(v.p50Ms)} | ${round1(v.p99Ms)} | ${round1(v.maxMs)} |`;
      };
      body.push('', `### Start burst: 100 cars within 2 s over a background (${bursts.length} bursts, ${all.seen.length} laps)`, '');
      body.push('| per lap | p50 ms | p99 ms | max ms |', '|---|---|---|---|');
      body.push(row('publish → queryable in ClickHouse', all.seen), row('publish → ack (insert end)', all.ack));
      body.push(row('stage: waiting in the sink (publish → its batch\'s insert starts)', all.wait), row('stage: the insert', all.insert), row('stage: insert end → seen by the poll', all.after));
      body.push(row('whole burst (first publish → last lap queryable)', all.whole));
      body.push('', `Per burst: ${bursts.map((b) => `${b.seen}/100 queryable in ${round1(b.wholeMs as number | undefined)} ms (${b.inserts} inserts of ${(b.insertRows as number[]).join('+')} rows)`).join('; ')}.`);
      body.push('', `The poll (every 10 ms) took ${round1(bursts.reduce((a, b) => a + (b.meanPollMs as number), 0) / Math.max(1, bursts.length), 1)} ms on average: "queryable" is late by up to ~${round1(10 + bursts.reduce((a, b) => a + (b.meanPollMs as number), 0) / Math.max(1, bursts.length))} ms. Active parts at the end: ${parts.map((p) => `${p.table} ${p.n}`).join(', ')}.`);
      const wait = s(all.wait);
      const ins = s(all.insert);
      data.burstSummary = { seen: s(all.seen), ack: s(all.ack), wait, insert: ins, after: s(all.after), whole: s(all.whole) };
      if (wait.p50Ms !== undefined && ins.p50Ms !== undefined) {
        const dominant = wait.p50Ms > ins.p50Ms ? 'waiting in the sink before the insert' : 'the ClickHouse insert';
        body.push('', `Dominant stage: ${dominant} (p50 ${round1(wait.p50Ms)} ms waiting vs ${round1(ins.p50Ms)} ms inserting).`);
      }
      return { body, targets: [], findings, data };
    } finally {
      await closeNats().catch(() => undefined);
      for (const c of children) await c.stop();
      await servers.stop();
    }
  },
};

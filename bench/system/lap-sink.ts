import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createClickHouseHttp, quote, type ClickHouseHttp } from '../../engine/clickhouse/http.ts';
import { LAP_SINK_CONSUMER } from '../../engine/lap-sink.ts';
import { RACE_ARCHIVE_CONSUMER } from '../../engine/race-archive.ts';
import { forkTs, pin, type Child } from '../fanout/child.ts';
import { cpuMeter, machineMeter } from '../fanout/proc.ts';
import { summarise } from '../fanout/stats.ts';
import type { LapTimes } from './lap-sink/lap-load.ts';
import { burstTable, burstTarget, findingsOf, noiseOfRounds, throughputTable, type Burst, type BurstLags, type Round } from './lap-sink/lap-sink-report.ts';
import { startLapServers, type LapServers } from './lap-sink/lap-servers.ts';
import type { InsertRecord, SinkStats } from './lap-sink/lap-sink-proc.ts';
import { watchLaps } from './lap-sink/lap-visibility.ts';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.ts';
import { wallUs } from '../fanout/clock.ts';

/**
 * Issue 17, scenario 5: laps per second through the lap sink into ClickHouse with acknowledgement, against its two
 * halves alone (a direct batched insert of the same rows; reading the same laps from RACE); and the ingest lag of a
 * start burst of 100 cars over a background of other live sessions, split into stages.
 */
const SINK_CPU = 1;
const LOAD_CPU = 0;
const SINK_BATCH = 500; // engine/batch-sink.ts's default, which the engine uses
const LIMIT_MS = { quick: 20_000, full: 150_000 };

interface Plan {
  /** Backlog rounds in order: the sink alone or with the RACE archive beside it (as the engine runs it). */
  rounds: { archive: boolean; laps: number }[];
  rate?: { perSec: number; seconds: number };
  bursts: number;
  background: { lapsPerSec: number; sessions: number };
}

const PLANS: Record<'quick' | 'full', Plan> = {
  // Quick: the sink alone, which drains 10k laps within the 20 s; full: as the engine runs it, twice (the noise).
  quick: { rounds: [{ archive: false, laps: 10_000 }], bursts: 2, background: { lapsPerSec: 20, sessions: 20 } },
  full: {
    rounds: [{ archive: true, laps: 20_000 }, { archive: true, laps: 20_000 }],
    rate: { perSec: 500, seconds: 10 },
    bursts: 5,
    background: { lapsPerSec: 20, sessions: 20 },
  },
};

function method(quick: boolean): string[] {
  const p = PLANS[quick ? 'quick' : 'full'];
  return [
    'Real servers on loopback, started for this scenario and killed by PID: nats-server 2.9 (RACE with the engine\'s limits, file storage) and clickhouse-server 18.16 (the engine\'s schema).',
    `The sink process runs the real \`startLapSink\` with the engine's defaults (batch ${SINK_BATCH}), pinned to core ${SINK_CPU}. The engine process also runs the RACE archive (every RACE event into \`race_events\`) on the same connection; the rounds say whether it ran, and the burst runs with it. The ClickHouse client is wrapped only to record each insert (table, rows, start, end); the sink acks a batch's messages right after its insert resolves, so an insert's end is its laps' ack.`,
    `The load process (core ${LOAD_CPU}) writes RACE as the session actor does: \`timing.bench.<session>.lap\` with message id \`lapMsgId\` (and in the burst and background the passing before each lap), plus a tick a second per live session.`,
    `Throughput: a backlog is published while no sink runs; a new sink process drains it; rate = laps / (sink ready → last lap acked). Rounds: ${p.rounds.map((r) => `${r.laps.toLocaleString('en')} laps ${r.archive ? 'with the archive' : 'alone'}`).join(', ')}. Every lap must then be in \`laps\` exactly once (count with and without FINAL) with nothing pending or unacked on the consumer.`,
    `Peers on the same laps, each half of the sink's work alone, from a process on core ${SINK_CPU}: the rows inserted straight into \`laps\` with the engine's ClickHouse client in batches of ${SINK_BATCH} (no NATS), and the laps read from RACE by a new pull consumer with explicit acks (no ClickHouse).`,
    p.rate ? `Sustained: ${p.rate.perSec} laps/s for ${p.rate.seconds} s into the running sink (with the archive); lag publish → ack per lap.` : 'Sustained rate: full run only.',
    `Start burst (${p.bursts}×), once both consumers have caught up: a background of ${p.background.sessions} other live sessions (${p.background.lapsPerSec} laps/s with their passings, a tick a second each) runs; 100 cars cross the line within 2 s, a passing and a lap each. Per lap: publish → ack, and publish → queryable (the first \`SELECT car, lap FROM laps WHERE session = …\`, polled every 10 ms, that returns it); stages from the sink's insert records.`,
    `Bounded: at most ${LIMIT_MS[quick ? 'quick' : 'full'] / 1000} s; steps that do not fit are skipped and say so.`,
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
  await Promise.race([new Promise((r) => sink.proc.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
  await sink.stop();
}

const count = async (ch: ClickHouseHttp, sql: string) => Number((await ch.rows<{ n: string }>(sql))[0]?.n ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until both consumers have nothing pending or unacked (or `untilMs`); resolves with whether they did. */
async function caughtUp(jsm: JetStreamManager, untilMs: number): Promise<boolean> {
  while (Date.now() < untilMs) {
    const infos = await Promise.all([LAP_SINK_CONSUMER, RACE_ARCHIVE_CONSUMER].map((c) => jsm.consumers.info('RACE', c).catch(() => undefined)));
    if (infos.every((i) => !i || (i.num_pending === 0 && i.num_ack_pending === 0))) return true;
    await sleep(100);
  }
  return false;
}

export const lapSinkScenario: Scenario = {
  id: 'lap-sink',
  title: '5. Lap sink',
  method,
  expectedSeconds: (quick) => (quick ? 18 : 140),
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const plan = PLANS[ctx.quick ? 'quick' : 'full'];
    const deadline = Math.min(ctx.deadline, Date.now() + LIMIT_MS[ctx.quick ? 'quick' : 'full'] - 1000);
    const left = () => deadline - Date.now();
    const lifetimeMs = Math.max(5000, left() + 5000);
    const findings: string[] = [];
    const body: string[] = [];
    const skipped: string[] = [];
    const data: Record<string, unknown> = {};
    const servers = await startLapServers(ctx.log);
    const children: Child[] = [];
    let closeNats = async (): Promise<unknown> => undefined;
    try {
      const ch = createClickHouseHttp(servers.clickhouse);
      const nc = await connect({ servers: servers.natsUrl, ...servers.engine });
      closeNats = () => nc.close();
      const jsm = await jetstreamManager(nc);
      const [load, peer] = await Promise.all([
        startChild('./lap-sink/lap-load.ts', 'lap-load', childEnv(servers, false), LOAD_CPU, lifetimeMs),
        startChild('./lap-sink/lap-peer.ts', 'lap-peer', childEnv(servers, false), SINK_CPU, lifetimeMs),
      ]);
      children.push(load, peer);
      const ask = async (child: Child, message: object) => {
        const done = await child.ask<{ seconds: number; error?: string } & LapTimes>(message, 'done', Math.max(1000, left()));
        if (done.error) throw new Error(`${(message as { type: string }).type}: ${done.error}`);
        return done;
      };

      // (a) Throughput: a backlog drained by a fresh sink process; both peers on the same laps first.
      const rounds: Round[] = [];
      for (const [i, { archive, laps: n }] of plan.rounds.entries()) {
        // Peers, publishing, a sink start and the drain at rates seen on this (shared) machine, then the live steps' share.
        const needMs = (n / (archive ? 1000 : 2500)) * 1500 + 3000;
        if (left() < needMs + (ctx.quick ? 5000 : 30_000)) {
          skipped.push(`backlog round ${i + 1} (${n} laps ${archive ? 'with the archive' : 'alone'}): not enough time left`);
          continue;
        }
        const session = `backlog-${i}`;
        const insertPeer = await ask(peer, { type: 'insert', session: `peer-${i}`, count: n, batch: SINK_BATCH });
        const { firstSeq } = (await ask(load, { type: 'backlog', session, count: n })) as unknown as { firstSeq: number };
        const readPeer = await ask(peer, { type: 'read', session, count: n, batch: SINK_BATCH, fromSeq: firstSeq });
        const sink = await startChild('./lap-sink/lap-sink-proc.ts', `lap-sink-${i}`, childEnv(servers, archive), SINK_CPU, lifetimeMs);
        const readyUs = wallUs();
        const meters = { sink: cpuMeter([sink.pid]), nats: cpuMeter([servers.natsPid]), clickhouse: cpuMeter([servers.clickhousePid]) };
        const machine = machineMeter();
        const inserts: InsertRecord[] = [];
        let inserted = 0;
        // A new sink process counts from 0; its durable consumer resumes after the earlier rounds' laps.
        while (inserted < n && left() > (ctx.quick ? 3000 : 30_000)) {
          await sleep(100);
          const stats = await sink.ask<SinkStats>({ type: 'stats' }, 'stats');
          inserted = stats.inserted;
          inserts.push(...stats.inserts);
        }
        const cpu = { sink: meters.sink().cores, nats: meters.nats().cores, clickhouse: meters.clickhouse().cores, machine: machine() };
        const lapInserts = inserts.filter((r) => r.table === 'laps');
        const seconds = (Math.max(...lapInserts.map((r) => r.endUs)) - readyUs) / 1e6;
        await stopSink(sink);
        const final = await count(ch, `SELECT count() AS n FROM laps FINAL WHERE session = ${quote(session)}`);
        const raw = await count(ch, `SELECT count() AS n FROM laps WHERE session = ${quote(session)}`);
        const info = await jsm.consumers.info('RACE', LAP_SINK_CONSUMER);
        const complete = inserted >= n;
        const exactlyOnce = final === n && raw === n && info.num_pending === 0 && info.num_ack_pending === 0;
        const insertUs = lapInserts.reduce((s, r) => s + r.endUs - r.startUs, 0);
        const round: Round = {
          archive, batch: SINK_BATCH, laps: inserted, seconds, lapsPerSec: inserted / seconds,
          insertPeerLapsPerSec: n / insertPeer.seconds, readPeerLapsPerSec: n / readPeer.seconds,
          inserts: lapInserts.length, meanInsertMs: insertUs / Math.max(1, lapInserts.length) / 1000, insertShare: insertUs / 1e6 / seconds, cpu, exactlyOnce,
          check: `${complete ? '' : `drain cut at the time limit after ${inserted} of ${n}: `}${final} rows with FINAL, ${raw} without, ${info.num_pending} pending, ${info.num_ack_pending} unacked`,
        };
        rounds.push(round);
        ctx.log(`round ${i + 1} (${archive ? 'with archive' : 'alone'}): ${round.lapsPerSec.toFixed(0)} laps/s; peers: insert ${round.insertPeerLapsPerSec.toFixed(0)}, read ${round.readPeerLapsPerSec.toFixed(0)}; ${round.check}`);
        if (complete && !exactlyOnce) findings.push(`Backlog round ${i + 1}: not every lap exactly once: ${round.check} (expected ${n}).`);
      }
      data.rounds = rounds;

      // The live sink, as the engine runs it (with the archive), once it has caught up with the rounds' backlog.
      const sink = await startChild('./lap-sink/lap-sink-proc.ts', 'lap-sink-live', childEnv(servers, true), SINK_CPU, lifetimeMs);
      children.push(sink);
      const takeInserts = async () => (await sink.ask<SinkStats>({ type: 'stats' }, 'stats')).inserts;
      const t0 = Date.now();
      const upToDate = await caughtUp(jsm, deadline - (ctx.quick ? 6000 : 35_000));
      data.catchUpSeconds = (Date.now() - t0) / 1000;
      if (!upToDate) skipped.push(`the archive had not caught up with the backlog after ${(data.catchUpSeconds as number).toFixed(0)} s: the burst ran while it still was catching up`);
      await takeInserts();

      if (plan.rate && left() > plan.rate.seconds * 1000 + 20_000) {
        const { perSec, seconds } = plan.rate;
        const times = await ask(load, { type: 'rate', session: 'timed-rate', perSec, seconds });
        const lagUs: number[] = [];
        let inserts = 0;
        for (let t = 0; t < 50 && lagUs.length < perSec * seconds; t++) {
          await sleep(100);
          for (const r of await takeInserts()) {
            if (r.table === 'laps') inserts += 1;
            for (const key of r.burstLaps ?? []) if (times.publishedUs[key] !== undefined) lagUs.push(r.endUs - times.publishedUs[key]!);
          }
        }
        const lag = summarise(lagUs);
        data.sustained = { perSec, seconds, acked: lagUs.length, lag, inserts };
        body.push('### Sustained', '', `${perSec} laps/s for ${seconds} s into the running sink (with the archive): ${lagUs.length} of ${perSec * seconds} laps acked; publish → ack p50 ${lag.p50Ms?.toFixed(0)} ms, p99 ${lag.p99Ms?.toFixed(0)} ms, max ${lag.maxMs?.toFixed(0)} ms, in ${inserts} inserts.`, '');
        ctx.log(`sustained ${perSec} laps/s: ${lagUs.length} acked, p50 ${lag.p50Ms?.toFixed(0)} p99 ${lag.p99Ms?.toFixed(0)} ms`);
      } else if (plan.rate) skipped.push('the sustained rate: not enough time left');

      // (b) Start bursts over a background.
      await ask(load, { type: 'background', ...plan.background });
      await sleep(ctx.quick ? 500 : 1000); // the background under way
      await takeInserts();
      const bursts: Burst[] = [];
      const lags: BurstLags = { seen: [], ack: [], wait: [], insert: [], after: [], whole: [] };
      for (let b = 0; b < plan.bursts; b++) {
        if (left() < 4000) {
          skipped.push(`bursts ${b + 1}–${plan.bursts}: not enough time left`);
          break;
        }
        const session = `timed-burst-${b}`;
        const watching = watchLaps(ch, session, 100, { everyMs: 10, timeoutMs: Math.min(10_000, left() - 1500) });
        const times = await ask(load, { type: 'burst', session, cars: 100, spreadMs: 2000 });
        const visible = await watching;
        await sleep(100);
        const lapInserts = (await takeInserts()).filter((r) => r.table === 'laps' && r.burstLaps?.some((k) => k.startsWith(`${session}/`)));
        const insertOf = new Map<string, InsertRecord>();
        for (const r of lapInserts) for (const key of r.burstLaps ?? []) insertOf.set(key, r);
        const ack: number[] = [];
        for (const [key, pub] of Object.entries(times.publishedUs)) {
          const r = insertOf.get(key);
          const seen = visible.seenUs[key];
          if (r) {
            ack.push(r.endUs - pub);
            lags.wait.push(r.startUs - pub);
            lags.insert.push(r.endUs - r.startUs);
          }
          if (seen !== undefined) lags.seen.push(seen - pub);
          if (seen !== undefined && r) lags.after.push(seen - r.endUs);
        }
        lags.ack.push(...ack);
        const seenCount = Object.keys(visible.seenUs).length;
        const wholeUs = seenCount === 100 ? Math.max(...Object.values(visible.seenUs)) - Math.min(...Object.values(times.publishedUs)) : undefined;
        if (wholeUs !== undefined) lags.whole.push(wholeUs);
        const burst: Burst = {
          session, seen: seenCount, inserts: lapInserts.length, insertRows: lapInserts.map((r) => r.rows),
          wholeMs: wholeUs === undefined ? undefined : wholeUs / 1000, ackP50Ms: summarise(ack).p50Ms, meanPollMs: visible.meanPollMs,
        };
        bursts.push(burst);
        if (seenCount < 100) findings.push(`Burst ${b + 1}: only ${seenCount} of 100 laps queryable within the watch window.`);
        ctx.log(`burst ${b + 1}: ${seenCount}/100 queryable after ${burst.wholeMs?.toFixed(0)} ms; ack p50 ${burst.ackP50Ms?.toFixed(0)} ms; ${burst.inserts} inserts`);
      }
      await ask(load, { type: 'background', lapsPerSec: 0 });
      data.bursts = bursts;
      const parts = await ch.rows<{ table: string; n: string }>(`SELECT table, count() AS n FROM system.parts WHERE database = 'pitwall' AND active GROUP BY table`);
      data.activeParts = parts;
      const summary = Object.fromEntries(Object.entries(lags).map(([k, v]) => [k, summarise(v as number[])]));
      data.burstSummary = summary;

      // The report.
      body.unshift('### Throughput: a backlog drained with acknowledgement', '', ...throughputTable(rounds), '', noiseOfRounds(rounds), '');
      body.push(`### Start burst: 100 cars within 2 s over a background (${bursts.length} bursts, ${lags.seen.length} laps)`, '', ...burstTable(lags, bursts), '');
      const wait = summary.wait?.p50Ms;
      const insert = summary.insert?.p50Ms;
      if (wait !== undefined && insert !== undefined) {
        body.push(`Dominant stage: ${wait > insert ? 'waiting in the sink for the batch window (100 ms after the batch\'s first message) and for the insert before it' : 'the ClickHouse insert'} — p50 ${wait.toFixed(0)} ms waiting vs ${insert.toFixed(0)} ms inserting.`, '');
      }
      body.push(`The archive caught up with the backlog rounds in ${(data.catchUpSeconds as number).toFixed(1)} s before the live steps. Active parts at the end: ${parts.map((p) => `${p.table} ${p.n}`).join(', ')}.`);
      if (skipped.length) body.push('', `Skipped to stay within the time limit: ${skipped.join('; ')}.`);
      findings.push(...findingsOf(rounds, data.catchUpSeconds as number, lags));
      const targets = bursts.length ? [burstTarget(lags, bursts, ctx.quick)] : [];
      return { body, targets, findings, data };
    } finally {
      await closeNats().catch(() => undefined);
      for (const c of children) await c.stop();
      await servers.stop();
    }
  },
};

import { summarise, type LatencySummary } from '../fanout/stats.ts';

/** The lap-sink scenario's measurements, and the markdown the report shows of them. */
export interface Round {
  archive: boolean;
  batch: number;
  laps: number;
  seconds: number;
  lapsPerSec: number;
  /** The peers on the same laps: straight into ClickHouse, and only read (and acked) from RACE. */
  insertPeerLapsPerSec: number;
  readPeerLapsPerSec: number;
  inserts: number;
  meanInsertMs: number;
  /** Share of the drain's wall time the sink spent in ClickHouse inserts of laps. */
  insertShare: number;
  cpu: { sink: number; nats: number; clickhouse: number; machine: number };
  exactlyOnce: boolean;
  check: string;
}

export interface Burst {
  session: string;
  seen: number;
  inserts: number;
  insertRows: number[];
  wholeMs?: number;
  ackP50Ms?: number;
  meanPollMs: number;
}

export interface BurstLags {
  seen: number[];
  ack: number[];
  wait: number[];
  insert: number[];
  after: number[];
  whole: number[];
}

const f = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
const range = (xs: number[], digits = 0) => (xs.length ? `${f(Math.min(...xs), digits)}–${f(Math.max(...xs), digits)}` : '–');

export function throughputTable(rounds: Round[]): string[] {
  const lines = [
    '| round | sink | laps | through the sink, acked (laps/s) | peer: ClickHouse insert only | peer: RACE read + ack only | sink / slower peer | inserts (mean ms) | time in inserts | CPU sink / nats-server / clickhouse / whole machine (cores) | exactly once |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [i, r] of rounds.entries()) {
    const slower = Math.min(r.insertPeerLapsPerSec, r.readPeerLapsPerSec);
    lines.push(
      `| ${i + 1} | ${r.archive ? 'with the RACE archive' : 'alone'}, batch ${r.batch} | ${r.laps.toLocaleString('en')} | **${f(r.lapsPerSec)}** | ${f(r.insertPeerLapsPerSec)} | ${f(r.readPeerLapsPerSec)} | ${f(r.lapsPerSec / slower, 2)} | ${r.inserts} (${f(r.meanInsertMs, 1)}) | ${f(r.insertShare * 100)} % | ${f(r.cpu.sink, 2)} / ${f(r.cpu.nats, 2)} / ${f(r.cpu.clickhouse, 2)} / ${f(r.cpu.machine, 2)} | ${r.exactlyOnce ? 'yes' : r.check.startsWith('drain cut') ? 'not checked' : '**NO**'}: ${r.check} |`,
    );
  }
  return lines;
}

export function burstTable(lags: BurstLags, bursts: Burst[]): string[] {
  const row = (name: string, xs: number[]) => {
    const v: LatencySummary = summarise(xs);
    return `| ${name} | ${f(v.p50Ms)} | ${f(v.p99Ms)} | ${f(v.maxMs)} |`;
  };
  const poll = bursts.reduce((a, b) => a + b.meanPollMs, 0) / Math.max(1, bursts.length);
  return [
    '| per lap | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|',
    row('publish → queryable in ClickHouse', lags.seen),
    row('publish → acked (its insert ended)', lags.ack),
    row('stage 1: in the sink until its batch\'s insert starts', lags.wait),
    row('stage 2: the insert', lags.insert),
    row('stage 3: insert end → returned by the poll', lags.after),
    row('whole burst: first publish → last lap queryable (crossings spread over 2 s)', lags.whole),
    '',
    `Per burst: ${bursts.map((b) => `${b.seen}/100 queryable after ${f(b.wholeMs)} ms, ack p50 ${f(b.ackP50Ms)} ms, ${b.inserts} inserts of ${b.insertRows.join('+')} rows`).join('; ')}.`,
    '',
    `Noise: the ack p50 of the bursts ranged ${range(bursts.map((b) => b.ackP50Ms ?? NaN).filter((x) => !Number.isNaN(x)))} ms. The poll (every 10 ms) took ${f(poll, 1)} ms on average, so "queryable" is late by up to ~${f(10 + poll)} ms (stage 3 is mostly that, plus any offset between the processes' clocks (each is performance.timeOrigin + now(); the offset was not measured)).`,
  ];
}

export const noiseOfRounds = (rounds: Round[]): string =>
  rounds.length < 2
    ? 'One round: the spread between runs is in the repeated bursts below and in earlier reports.'
    : `Noise: over the rounds the ClickHouse-only peer ranged ${range(rounds.map((r) => r.insertPeerLapsPerSec))} laps/s and the RACE-read peer ${range(rounds.map((r) => r.readPeerLapsPerSec))} laps/s (same work each round).`;

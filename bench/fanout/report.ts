import fs from 'node:fs';
import { naturalCapacity, ratio, transportCapacity, type Capacity } from './capacity.ts';
import type { Machine } from './machine.ts';
import { fmt, type StepResult, type SystemRun } from './measure.ts';
import type { Plan } from './plan.ts';
import { barChart } from './svg.ts';

export interface ReportInput {
  plan: Plan;
  runs: SystemRun[];
  skipped: string[];
  machine: Machine;
  started: Date;
  seconds: number;
}

const benchDir = new URL('../', import.meta.url);
const int = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const capText = (c: Capacity) => `${int(c.perSec)}${c.bound === 'server-bound' ? '' : ` (${c.bound})`}`;
const star = (c: Capacity) => (c.bound === 'server-bound' ? '' : '*');

/** The runs of one client count, the A/A repeat left out. */
const at = (runs: SystemRun[], clients: number) => runs.filter((r) => r.clients === clients && !r.repeat);

function ratioCell(pitwall: Capacity, peer: Capacity): string {
  const r = ratio(pitwall, peer);
  if (!r) return peer.perSec <= 0 && pitwall.perSec > 0 ? 'no ratio: the peer held no step' : '–';
  return `${r.value.toFixed(2)}×${r.counts ? '' : ` (${r.note})`}`;
}

/** The stdout summary: every peer named, with Pitwall's ratio to it. */
export function summaryLines(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const clients of input.plan.clientCounts) {
    const runs = at(input.runs, clients);
    const pw = runs.find((r) => r.info.kind === 'pitwall');
    if (!pw) continue;
    lines.push(`${clients} clients: Pitwall transport ${capText(transportCapacity(pw))} frames/s, natural ${capText(naturalCapacity(pw))} passings/s`);
    for (const peer of runs.filter((r) => r !== pw)) {
      lines.push(`  vs ${peer.info.label.padEnd(9)} transport ${capText(transportCapacity(peer))} → Pitwall ${ratioCell(transportCapacity(pw), transportCapacity(peer))}; ` +
        `natural ${capText(naturalCapacity(peer))} → Pitwall ${ratioCell(naturalCapacity(pw), naturalCapacity(peer))}`);
    }
  }
  const aa = aaLine(input.runs);
  if (aa) lines.push(aa);
  return lines;
}

function aaLine(runs: SystemRun[]): string | undefined {
  const repeat = runs.find((r) => r.repeat);
  const first = repeat && runs.find((r) => !r.repeat && r.info.kind === repeat.info.kind && r.clients === repeat.clients);
  if (!repeat || !first) return undefined;
  const d = (a: number, b: number) => (a > 0 ? `${(((b - a) / a) * 100).toFixed(1)}%` : '–');
  const [t1, t2, n1, n2] = [transportCapacity(first), transportCapacity(repeat), naturalCapacity(first), naturalCapacity(repeat)];
  const r1 = first.natural[0];
  const r2 = repeat.natural[0];
  return `A/A (Pitwall vs Pitwall, ${repeat.clients} clients): transport ${int(t1.perSec)} vs ${int(t2.perSec)} (${d(t1.perSec, t2.perSec)}), ` +
    `natural ${int(n1.perSec)} vs ${int(n2.perSec)} (${d(n1.perSec, n2.perSec)}), realistic p99 ${fmt(r1?.latency.p99Ms)} vs ${fmt(r2?.latency.p99Ms)} ms`;
}

function stepRow(label: string, s: StepResult, natural: boolean): string {
  return `| ${label} | ${natural ? (s.burst ? `burst + ${s.load.toFixed(2)}` : s.load) : fmt(s.load, 0)} | ${int(s.offeredPerSec)} | ${int(s.deliveredPerSec)} | ` +
    `${fmt(s.latency.p50Ms)} | ${fmt(s.latency.p99Ms)} | ${fmt(s.latency.maxMs)} | ${fmt(s.serverCores, 2)} | ${fmt(s.receiverCores, 2)} | ` +
    `${Object.entries(s.helperCores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') || '–'} | ${fmt(s.machineCores, 2)} | ${fmt(s.serverCpuUsPerUpdate, 2)} | ${s.held ? 'yes' : '**no**'} |`;
}

function targets(input: ReportInput): string[] {
  const out: string[] = [];
  const check = (ok: boolean | undefined, counts = true) =>
    ok === undefined ? 'not measured' : !counts ? `indicative only (${ok ? 'met' : 'not met'} as a bound)` : ok ? '**met**' : '**not met**';
  for (const clients of input.plan.clientCounts) {
    const runs = at(input.runs, clients);
    const get = (kind: string) => runs.find((r) => r.info.kind === kind);
    const pw = get('pitwall');
    if (!pw) continue;
    const nat = (kind: string) => {
      const peer = get(kind);
      return peer ? ratio(naturalCapacity(pw), naturalCapacity(peer)) : undefined;
    };
    const sio = nat('socketio');
    const mq = nat('mosquitto');
    const none = (kind: string) => (get(kind) && naturalCapacity(get(kind) as SystemRun).perSec <= 0 ? 'the peer held no step (p99 ≥ 1 s or < 90% delivered)' : '–');
    out.push(`| ${clients} | natural ≥ 5× Socket.IO | ${sio ? `${sio.value.toFixed(2)}×${sio.counts ? '' : ` (${sio.note})`}` : none('socketio')} | ${check(sio && sio.value >= 5, sio?.counts)} |`);
    out.push(`| ${clients} | natural ≥ 2× Mosquitto | ${mq ? `${mq.value.toFixed(2)}×${mq.counts ? '' : ` (${mq.note})`}` : none('mosquitto')} | ${check(mq && mq.value >= 2, mq?.counts)} |`);
    const ws = get('ws-json')?.natural[0]?.bytesPerPassing;
    const mine = pw.natural[0]?.bytesPerPassing;
    const bytes = ws && mine ? ws / mine : undefined;
    out.push(`| ${clients} | diff bytes ≥ 10× smaller than full JSON | ${bytes ? `${bytes.toFixed(1)}× (${int(mine)} vs ${int(ws)} B per passing)` : '–'} | ${check(bytes === undefined ? undefined : bytes >= 10)} |`);
    const publishP99 = Math.max(0, ...[...pw.transport, ...pw.natural].filter((s) => s.held).map((s) => s.gatewayPublishP99Ms ?? 0));
    if (clients >= 10_000 || input.plan.clientCounts.length === 1) {
      out.push(`| ${clients} | gateway publish → last socket write p99 < 100 ms | ${fmt(publishP99, 2)} ms (worst held step) | ${check(publishP99 < 100)} |`);
    }
    const raw = get('uws-raw');
    if (raw) {
      const r = ratio(transportCapacity(raw), transportCapacity(pw));
      out.push(`| ${clients} | transport within 2× of raw uWS | ${r ? `raw uWS / Pitwall = ${r.value.toFixed(2)}×${r.counts ? '' : ` (${r.note.replace('Pitwall', 'uWS').replace('peer', 'Pitwall')})`}` : '–'} | ${check(r && r.value <= 2, r?.counts)} |`);
    }
  }
  return out;
}

/** Writes bench/RESULTS.md and its charts; returns the report's path. */
export function writeReport(input: ReportInput, log: (line: string) => void): string {
  const { plan, runs, machine } = input;
  const chartGroups = (cap: (r: SystemRun) => Capacity) => plan.clientCounts.map((clients) => ({
    label: `${clients.toLocaleString('en-US')} clients`,
    bars: at(runs, clients).map((r) => ({ label: r.info.label, value: cap(r).perSec, note: star(cap(r)) })),
  }));
  const suffix = plan.name === 'quick' ? '-quick' : '';
  const transportSvg = `fanout-transport${suffix}.svg`;
  const naturalSvg = `fanout-natural${suffix}.svg`;
  fs.writeFileSync(new URL(transportSvg, benchDir), barChart('Transport capacity: frames/s delivered with p99 < 1 s', 'frames per second, all clients', chartGroups(transportCapacity)));
  fs.writeFileSync(new URL(naturalSvg, benchDir), barChart('Natural strategy: passings reflected at clients per second, p99 < 1 s', 'passings per second, all clients', chartGroups(naturalCapacity)));

  const md: string[] = [];
  md.push(`# Spectator fan-out benchmark (${plan.name})`, '');
  md.push(`Written by \`npm run bench -- fanout${plan.name === 'quick' ? ' --quick' : ''}\` on ${input.started.toISOString()} in ${Math.round(input.seconds)} s. `
    + 'Do not edit by hand: run it again.', '');
  md.push('## Machine', '');
  md.push(`${machine.cpu}, ${machine.cores} cores (shared, noisy), ${machine.memoryGiB} GiB; ${machine.os}, Linux ${machine.kernel}; Node ${machine.node}.`, '');
  md.push(`Versions: ${Object.entries(machine.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  md.push('## Method', '');
  md.push(
    `- Servers on loopback pinned to core 0 (\`taskset\`), lean receivers (raw TCP WebSocket clients, bench/fanout/ws-client.ts) in separate processes pinned to core 1, up to 5,000 connections each. ` +
      `${plan.probes} probe connections per system decode payloads for latency and passings; the others count frames and wire bytes only. Receivers' CPU is reported: a receiver column near 1.00 means the run was client-bound.`,
    '- Pitwall: the real gateway (`createGateway`, one process; two above 10k clients because one process cannot hold 20k sockets) fed over real NATS (`startNats`, random port) by a stand-in engine process that publishes `view.<track>.<session>` MessagePack `{seq, diff}` and answers `view.snapshot.…`; receivers speak the spectator protocol (subscribe, snapshot, diffs).',
    '- Peers: (a) `ws` sending the full standings as JSON on every passing; (b) Socket.IO 4 emitting a JSON diff per passing (WebSocket transport only); (c) Mosquitto (Debian) with MQTT QoS 0 over WebSockets, fed by a publisher process over MQTT/TCP with a JSON diff per passing; (d) raw uWebSockets.js publishing pre-encoded MessagePack bytes to one topic with no engine work: the ceiling.',
    `- **Transport capacity**: every system sends the same ~110-byte MessagePack frame (its send time inside) at the same tick rate; offered ${plan.transportHz.join(' → ')} frames/s per client (offered = what the source really sent), ${plan.warmupMs} ms warm-up, ${plan.windowMs} ms window per step, the ramp stops at the first step that does not hold (p99 ≥ 1 s or < 90% delivered). Capacity = the most frames/s of a step that held.`,
    `- **Natural strategy**: a 30-car race in real time, each passing stamped with its time (\`raceUs\`), latency = receipt − passing. The realistic window (${plan.realisticWindowMs} ms) is the start burst (the whole grid crosses in 2 s) plus ${plan.realisticRate.toFixed(2)} passings/s (45 s laps); then ${plan.naturalRates.join(', ')} passings/s for capacity. "Passings/s at clients" = passings reflected per probe × clients per second.`,
    `- A ratio counts only when both servers used ≥ 90% of a core in the step that stopped them (server-bound); otherwise the row says client-bound or not saturated and the ratio is only a bound. The A/A row repeats Pitwall at ${plan.clientCounts[0]} clients to show the run's noise.`,
    '- Server-side publish → last socket write (Pitwall): the gateway\'s own `pitwall_gateway_fanout_seconds` summary, the time to write the frames of one event-loop turn to every spectator of their session (read and reset by bench/fanout/servers/pitwall-gateway.ts).',
    '',
  );
  md.push('## Summary', '', '```', ...summaryLines(input), '```', '');
  md.push(`![transport capacity](${transportSvg})`, '', `![natural strategy](${naturalSvg})`, '');
  md.push('## Targets', '', '| clients | target | measured | status |', '|---|---|---|---|', ...targets(input), '');

  md.push('## Natural strategy, realistic race (start burst + 45 s laps)', '');
  md.push('| clients | system | what it sends | passings/s at clients | latency p50 / p99 / max ms | bytes per frame | bytes per passing | server CPU µs per passing | memory KiB per connection | gateway publish p99 / max ms | connect s | machine busy cores before |');
  md.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const s = r.natural[0];
    md.push(`| ${r.clients} | ${r.info.label}${r.repeat ? ' (A/A)' : ''} | ${r.info.natural} | ${int(s?.deliveredPerSec)} | ${fmt(s?.latency.p50Ms)} / ${fmt(s?.latency.p99Ms)} / ${fmt(s?.latency.maxMs)} | ` +
      `${int(s?.bytesPerFrame)} | ${int(s?.bytesPerPassing)} | ${fmt(s?.serverCpuUsPerUpdate, 2)} | ${fmt(r.memPerConnKiB)} | ${s?.gatewayPublishP99Ms === undefined ? '–' : `${fmt(s.gatewayPublishP99Ms, 2)} / ${fmt(s.gatewayPublishMaxMs, 2)}`} | ${fmt(r.connectMs / 1000)} | ${fmt(r.busyBefore, 2)} |`);
  }
  md.push('');
  const header = '| system | load | offered/s | delivered/s | p50 ms | p99 ms | max ms | server cores | receiver cores | other server-side cores | machine busy cores | server CPU µs per update | held |';
  const rule = '|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  md.push('## Transport capacity, every step', '', 'Load = frames per second per client.', '');
  for (const clients of plan.clientCounts) {
    md.push(`### ${clients} clients`, '', header, rule);
    for (const r of runs.filter((x) => x.clients === clients)) {
      const name = `${r.info.label}${r.repeat ? ' (A/A)' : ''}`;
      if (r.error) md.push(`| ${name} | error: ${r.error} ||||||||||||`);
      for (const s of r.transport) md.push(stepRow(name, s, false));
    }
    md.push('');
  }
  md.push('## Natural strategy, every step', '', 'Load = passings per second of the race; delivered = passings reflected at clients per second.', '');
  for (const clients of plan.clientCounts) {
    md.push(`### ${clients} clients`, '', header, rule);
    for (const r of runs.filter((x) => x.clients === clients)) {
      for (const s of r.natural) md.push(stepRow(`${r.info.label}${r.repeat ? ' (A/A)' : ''}`, s, true));
    }
    md.push('');
  }
  const failed = runs.filter((r) => r.failed > 0);
  if (failed.length) md.push('Connections that failed: ' + failed.map((r) => `${r.info.label} at ${r.clients}: ${r.failed}`).join('; ') + '.', '');
  if (input.skipped.length) md.push(`Skipped (run deadline of ${Math.round(plan.deadlineMs / 1000)} s reached): ${input.skipped.join(', ')}.`, '');
  const notesFile = new URL('NOTES.md', benchDir);
  if (fs.existsSync(notesFile)) md.push(fs.readFileSync(notesFile, 'utf8'));

  const file = new URL(plan.name === 'quick' ? 'RESULTS-quick.md' : 'RESULTS.md', benchDir);
  fs.writeFileSync(file, md.join('\n'));
  for (const line of summaryLines(input)) log(line);
  return file.pathname;
}


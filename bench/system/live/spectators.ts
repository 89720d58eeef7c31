import { decode } from '@msgpack/msgpack';
import { encodeFrame } from '../../../gateway/protocol.ts';
import { wallUs } from '../../fanout/clock.ts';
import { createReservoir } from '../../fanout/stats.ts';
import { connectWs, type WsClient } from '../../fanout/ws-client.ts';
import type { StartedRace } from './edge-load.ts';

/**
 * Spectators of the live scenarios: many lean WebSocket connections (bench/fanout/ws-client.ts) in one process,
 * pinned by the orchestrator to the client core. Each subscribes to one race (or all) with the spectator protocol and
 * decodes every frame: the time to its snapshots after it started connecting (late joins), seq gaps, and for every
 * car whose race time changed in a diff, passing → screen latency = receipt − (race start + raceUs).
 * IPC: `connect` → `connected`; `window`; `collect` → `collected`; `close`.
 */
export interface ConnectCommand {
  cmd: 'connect';
  url: string;
  races: StartedRace[];
  count: number;
  /** Connection k follows races[(first + k) % races.length]; with followAll, every race (a TV wall). */
  first: number;
  followAll?: boolean;
  /** Spread the connection attempts evenly over this long (a late-join storm); 0: `concurrency` at a time. */
  spreadMs: number;
  concurrency: number;
  /** Give up waiting for snapshots after this long. */
  timeoutMs: number;
}

interface Conn {
  client?: WsClient;
  races: StartedRace[];
  startedUs: number;
  /** When the snapshots of all its races had arrived. */
  snapshotUs?: number;
  /** Last seq per track. */
  seq: Map<string, number>;
  failed?: string;
}

const conns: Conn[] = [];
const latency = createReservoir(50_000);
let counts = { frames: 0, bytes: 0, gaps: 0, latencySamples: 0, undecodable: 0, closed: 0 };
let cpu0 = process.cpuUsage();
let t0 = performance.now();

function onFrame(conn: Conn, payload: Buffer) {
  let frame: { type?: string; track?: string; seq?: number; diff?: { rows?: Record<string, { set?: { raceUs?: unknown } }> } };
  try {
    frame = decode(payload) as typeof frame;
  } catch {
    counts.undecodable++;
    return;
  }
  const track = frame.track ?? '';
  const race = conn.races.find((r) => r.track === track);
  if (!race || typeof frame.seq !== 'number') return;
  if (frame.type === 'snapshot') {
    conn.seq.set(track, frame.seq);
    if (conn.seq.size === conn.races.length) conn.snapshotUs ??= wallUs();
    return;
  }
  if (frame.type !== 'diff') return;
  counts.frames++;
  const last = conn.seq.get(track);
  if (last !== undefined && frame.seq !== last + 1) counts.gaps++;
  conn.seq.set(track, frame.seq);
  const now = wallUs();
  for (const patch of Object.values(frame.diff?.rows ?? {})) {
    const raceUs = patch.set?.raceUs;
    if (typeof raceUs !== 'number') continue;
    latency.add(now - (race.startAtUs + raceUs));
    counts.latencySamples++;
  }
}

function open(conn: Conn, url: URL, settled: () => void) {
  conn.startedUs = wallUs();
  let done = false;
  const settle = () => {
    if (!done) {
      done = true;
      settled();
    }
  };
  conn.client = connectWs(url, {
    open: () => {
      for (const race of conn.races) conn.client?.send(2, Buffer.from(encodeFrame({ type: 'subscribe', track: race.track, session: race.session })));
    },
    message: (_opcode, payload) => {
      onFrame(conn, payload);
      if (conn.snapshotUs !== undefined) settle();
    },
    bytes: (n) => void (counts.bytes += n),
    close: (reason) => {
      counts.closed++;
      conn.failed ??= reason;
      settle();
    },
  });
}

async function connectAll(m: ConnectCommand) {
  const url = new URL(m.url);
  const batch: Conn[] = Array.from({ length: m.count }, (_, k) => ({
    races: m.followAll ? m.races : [m.races[(m.first + k) % m.races.length]!], startedUs: 0, seq: new Map(),
  }));
  conns.push(...batch);
  const stormUs = wallUs();
  let settledCount = 0;
  let inFlight = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, m.timeoutMs);
    const settled = () => {
      settledCount++;
      inFlight--;
      if (settledCount === batch.length) {
        clearTimeout(timer);
        resolve();
      } else if (m.spreadMs === 0) pump();
    };
    const openNext = () => {
      const conn = batch[next++];
      if (!conn) return;
      inFlight++;
      open(conn, url, settled);
    };
    const pump = () => {
      while (inFlight < m.concurrency && next < batch.length) openNext();
    };
    if (m.spreadMs === 0) return pump();
    // A storm: attempt k at stormUs + k × spread / count, whatever the server answers meanwhile.
    const tick = () => {
      const due = Math.min(batch.length, Math.floor(((wallUs() - stormUs) / 1000 / m.spreadMs) * batch.length) + 1);
      while (next < due) openNext();
      if (next < batch.length) setTimeout(tick, 5);
    };
    tick();
  });
  const failures = new Map<string, number>();
  for (const c of batch) if (c.snapshotUs === undefined) failures.set(c.failed ?? 'no snapshot in time', (failures.get(c.failed ?? 'no snapshot in time') ?? 0) + 1);
  return {
    count: batch.length,
    withSnapshot: batch.filter((c) => c.snapshotUs !== undefined).length,
    failures: Object.fromEntries(failures),
    /** µs from the first attempt to each connection's snapshot, and from its own attempt. */
    sinceStormUs: batch.flatMap((c) => (c.snapshotUs === undefined ? [] : [c.snapshotUs - stormUs])),
    sinceAttemptUs: batch.flatMap((c) => (c.snapshotUs === undefined ? [] : [c.snapshotUs - c.startedUs])),
  };
}

process.on('message', (m: ConnectCommand | { cmd: 'window' | 'collect' | 'close' }) => {
  switch (m.cmd) {
    case 'connect':
      void connectAll(m).then((r) => process.send?.({ type: 'connected', ...r }));
      return;
    case 'window':
      latency.take();
      counts = { frames: 0, bytes: 0, gaps: 0, latencySamples: 0, undecodable: 0, closed: 0 };
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      return;
    case 'collect': {
      const cpu = process.cpuUsage(cpu0);
      process.send?.({
        type: 'collected', latencyUs: latency.take(), ...counts, open: conns.filter((c) => !c.failed).length,
        cpuSeconds: (cpu.user + cpu.system) / 1e6, seconds: (performance.now() - t0) / 1000,
      });
      return;
    }
    case 'close':
      for (const c of conns) c.client?.close();
      process.send?.({ type: 'closed' });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });

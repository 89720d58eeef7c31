import { decode } from '@msgpack/msgpack';
import { encodeFrame } from '../../gateway/protocol.ts';
import { benchUs } from './clock.ts';
import { connectPacket, PACKET, publishPayload, splitPackets, subscribePacket } from './mqtt.ts';
import { SESSION, TOPIC, TRACK } from './payload.ts';
import { createReservoir } from './stats.ts';
import { connectWs, type WsClient } from './ws-client.ts';

/**
 * A receiver process: many lean spectator connections to one system, pinned by the orchestrator to the core the
 * servers do not use. Every connection counts frames and wire bytes; only probe connections decode payloads (for
 * latency and passings), so that the receivers' own CPU stays low and is reported next to the server's.
 */
export type SystemKind = 'pitwall' | 'ws-json' | 'socketio' | 'mosquitto' | 'uws-raw';

export type ReceiverCommand =
  | { cmd: 'connect'; system: SystemKind; urls: string[]; count: number; probes: number; concurrency: number }
  | { cmd: 'mode'; mode: 'transport' | 'natural' }
  | { cmd: 'collect' }
  | { cmd: 'stop' };

export interface ReceiverStats {
  frames: number;
  bytes: number;
  probeFrames: number;
  probePassings: number;
  probes: number;
  latencyUs: number[];
  cpuSeconds: number;
  open: number;
  closed: number;
  sendsQueued: number;
  undecodable: number;
  seconds: number;
}

interface Conn {
  client?: WsClient;
  ready: boolean;
  probe: boolean;
  /** Probe only: laps seen per car, to count passings from diffs and full boards alike. */
  laps: Map<string, number>;
  /** MQTT: bytes of a packet split across WebSocket frames. */
  tail: Buffer;
}

/** The spectator protocol's subscribe frame (gateway/protocol.ts), encoded once for every connection. */
const SUBSCRIBE = Buffer.from(encodeFrame({ type: 'subscribe', track: TRACK, session: SESSION }));

let mode: 'transport' | 'natural' = 'transport';
let frames = 0;
let bytes = 0;
let probeFrames = 0;
let probePassings = 0;
let sendsQueued = 0;
let closed = 0;
let undecodable = 0;
const latency = createReservoir(20_000);
let cpu0 = process.cpuUsage();
let t0 = performance.now();
const conns: Conn[] = [];

const countSend = (ok: boolean) => {
  if (!ok) sendsQueued += 1;
};

/** Passings in a diff (`rows` by car number) or a full board (`rows` array), for a probe. */
function passings(conn: Conn, rows: unknown) {
  const now = benchUs();
  const seen = (number: string, laps: unknown, raceUs: unknown) => {
    if (typeof laps !== 'number') return;
    const before = conn.laps.get(number) ?? 0;
    if (laps <= before) return;
    conn.laps.set(number, laps);
    probePassings += laps - before;
    if (typeof raceUs === 'number') latency.add(now - raceUs);
  };
  if (Array.isArray(rows)) {
    for (const row of rows as { number: string; laps: unknown; raceUs: unknown }[]) seen(row.number, row.laps, row.raceUs);
  } else if (rows && typeof rows === 'object') {
    for (const [number, patch] of Object.entries(rows as Record<string, { set?: { laps?: unknown; raceUs?: unknown } }>)) {
      seen(number, patch.set?.laps, patch.set?.raceUs);
    }
  }
}

/** A probe's look at one MessagePack frame (transport payload, or Pitwall/uWS natural diff or snapshot). */
function probeMsgpack(conn: Conn, payload: Buffer) {
  const frame = decode(payload) as { type?: string; diff?: { header?: { clockUs?: number }; rows?: unknown }; view?: { rows?: unknown } };
  if (frame.type === 'snapshot') return passings(conn, frame.view?.rows);
  if (frame.type !== 'diff') return;
  probeFrames += 1;
  if (mode === 'transport') {
    const sent = frame.diff?.header?.clockUs;
    if (typeof sent === 'number') latency.add(benchUs() - sent);
  } else passings(conn, frame.diff?.rows);
}

function probeJson(conn: Conn, text: string) {
  const value = JSON.parse(text) as { rows?: unknown };
  probeFrames += 1;
  passings(conn, value.rows);
}

/** A broker may still deliver transport frames queued before the race began: tell JSON from MessagePack by its first byte. */
function probeAny(conn: Conn, payload: Buffer) {
  try {
    if (payload[0] === 0x7b) probeJson(conn, payload.toString('utf8'));
    else probeMsgpack(conn, payload);
  } catch {
    undecodable += 1;
  }
}

function handler(system: SystemKind, conn: Conn, onReady: () => void) {
  let seenFrames = 0;
  const ready = () => {
    if (conn.ready) return;
    conn.ready = true;
    onReady();
  };
  const message = (opcode: number, payload: Buffer) => {
    seenFrames += 1;
    switch (system) {
      case 'pitwall': // hello, then the snapshot: subscribed
        if (seenFrames === 2) ready();
        if (conn.ready) frames += 1;
        if (conn.probe) probeAny(conn, payload);
        return;
      case 'uws-raw':
        frames += 1;
        if (conn.probe) probeAny(conn, payload);
        return;
      case 'ws-json':
        frames += 1;
        if (conn.probe) probeAny(conn, payload);
        return;
      case 'socketio': {
        if (opcode === 2) { // the binary attachment of a transport emit: one message
          frames += 1;
          if (conn.probe) probeAny(conn, payload);
          return;
        }
        const c0 = payload[0];
        const c1 = payload[1];
        if (c0 === 0x32) return countSend(conn.client?.send(1, Buffer.from('3')) ?? true); // engine.io ping → pong
        if (c0 === 0x30) return countSend(conn.client?.send(1, Buffer.from('40')) ?? true); // engine.io open → join "/"
        if (c0 === 0x34 && c1 === 0x30) return ready(); // socket.io connect ack
        if (c0 === 0x34 && c1 === 0x32) { // 42["diff",{...}]
          frames += 1;
          if (conn.probe) probeAny(conn, payload.subarray(payload.indexOf(0x2c) + 1, payload.length - 1)); // the diff of ["diff",{…}]
        }
        return; // 451-[...] placeholders are counted with their attachment
      }
      case 'mosquitto': {
        const data = conn.tail.length ? Buffer.concat([conn.tail, payload]) : payload;
        conn.tail = Buffer.from(splitPackets(data, (type, _first, body) => {
          if (type === PACKET.SUBACK) return ready();
          if (type !== PACKET.PUBLISH) return;
          frames += 1;
          if (!conn.probe) return;
          probeAny(conn, publishPayload(body));
        }));
        return;
      }
    }
  };
  return { message, ready };
}

function path(system: SystemKind): string {
  if (system === 'socketio') return '/socket.io/?EIO=4&transport=websocket';
  if (system === 'mosquitto') return '/mqtt';
  return '/ws';
}

async function connectAll(m: Extract<ReceiverCommand, { cmd: 'connect' }>) {
  const started = performance.now();
  let ready = 0;
  let failed = 0;
  let inFlight = 0;
  let next = 0;
  const reasons = new Map<string, number>();
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 90_000);
    const settle = () => {
      inFlight -= 1;
      if (ready + failed === m.count) {
        clearTimeout(deadline);
        resolve();
      } else launch();
    };
    const launch = () => {
      while (inFlight < m.concurrency && next < m.count) {
        const i = next++;
        inFlight += 1;
        const conn: Conn = { ready: false, probe: i < m.probes, laps: new Map(), tail: Buffer.alloc(0) };
        conns.push(conn);
        const url = new URL(`${m.urls[i % m.urls.length] ?? ''}${path(m.system)}`);
        let settled = false;
        const on = handler(m.system, conn, () => {
          if (settled) return;
          settled = true;
          ready += 1;
          settle();
        });
        conn.client = connectWs(url, {
          open: () => {
            if (m.system === 'pitwall') countSend(conn.client?.send(2, SUBSCRIBE) ?? true);
            if (m.system === 'mosquitto') {
              countSend(conn.client?.send(2, Buffer.concat([connectPacket(`r${process.pid}-${i}`), subscribePacket(TOPIC)])) ?? true);
            }
            if (m.system === 'ws-json' || m.system === 'uws-raw') on.ready(); // nothing to subscribe to
          },
          message: on.message,
          bytes: (n) => {
            bytes += n;
          },
          close: (reason) => {
            closed += 1;
            if (!settled) {
              settled = true;
              failed += 1;
              reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
              settle();
            }
          },
        }, { protocol: m.system === 'mosquitto' ? 'mqtt' : undefined });
      }
    };
    launch();
  });
  return { ready, failed, ms: performance.now() - started, reasons: Object.fromEntries(reasons) };
}

function collect(): ReceiverStats {
  const cpu = process.cpuUsage(cpu0);
  const now = performance.now();
  const stats: ReceiverStats = {
    frames, bytes, probeFrames, probePassings, probes: conns.filter((c) => c.probe).length, latencyUs: latency.take(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6, open: conns.length - closed, closed, sendsQueued, undecodable, seconds: (now - t0) / 1000,
  };
  frames = bytes = probeFrames = probePassings = sendsQueued = undecodable = 0;
  cpu0 = process.cpuUsage();
  t0 = now;
  return stats;
}

setTimeout(() => process.exit(3), 30 * 60_000).unref();
process.on('disconnect', () => process.exit(0));
process.on('message', (m: ReceiverCommand) => {
  switch (m.cmd) {
    case 'connect':
      return void connectAll(m).then((result) => process.send?.({ type: 'connected', ...result }));
    case 'mode':
      mode = m.mode;
      return process.send?.({ type: 'mode' });
    case 'collect':
      return process.send?.({ type: 'stats', stats: collect() });
    case 'stop':
      for (const c of conns) c.client?.close();
      return process.exit(0);
  }
});
process.send?.({ type: 'ready' });

import http from 'node:http';
import { decode, encode } from '@msgpack/msgpack';
import { wallUs } from '../../fanout/clock.ts';
import { createReservoir } from '../../fanout/stats.ts';
import { connectWs, type WsClient } from '../../fanout/ws-client.ts';
import type { RiderCredential } from './gps-races.ts';
import { createWorstPerSecond } from './worst-per-second.ts';

/**
 * The riders' phones, in a load process of their own (pinned to the load core): each rider sends one fix a second,
 * the riders spread evenly over the second. WebSocket riders are the rider page: their own `/ws` connection, an
 * `auth` frame with their competitor token, then `position` frames answered by a `position` reply once JetStream
 * stored the fix. OsmAnd riders are Traccar Client: POST `/api/gps/osmand?id=<device key>&timestamp=…` over a
 * kept-alive connection, answered 200 once stored. A fix's own time is the moment it is sent on the shared clock
 * (bench/fanout/clock.ts), to the µs, so a spectator that sees it knows its send time without asking.
 *
 * IPC: `{cmd: 'connect', gatewayUrl, riders}` → `connected` (WebSocket riders authenticated); `{cmd: 'go',
 * durationMs}` → `done` with counts and the acknowledgement latencies (µs, a reservoir per endpoint).
 */
type Rider = RiderCredential & { i: number; ws?: WsClient };

const ackWs = createReservoir(20_000);
const ackOsmand = createReservoir(20_000);
const sendLag = createReservoir(20_000);
/** The worst acknowledgement of the fixes sent in each second, either endpoint. */
const worstAck = createWorstPerSecond();
const counts = { sentWs: 0, sentOsmand: 0, ackedWs: 0, ackedOsmand: 0, failed: 0, refused: {} as Record<string, number>, closed: 0 };
const pendingWs = new Map<string, number>(); // ref → send time (µs)
let pendingOsmand = 0;
let gateway: URL;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const refuse = (code: string) => { counts.refused[code] = (counts.refused[code] ?? 0) + 1; };

/** Where rider `i` is at `us`: on a 200 m circle of its own around its race's buoy, a lap every 2 minutes. */
function where(r: Rider, us: number) {
  const angle = (us / 120e6) * 2 * Math.PI + r.i;
  return { lat: 47.5 + Number(r.entry.event.split('-')[1]) * 0.01 + 0.0018 * Math.sin(angle), lon: 8.5 + 0.0027 * Math.cos(angle) };
}

function connectRider(r: Rider): Promise<void> {
  return new Promise((resolve, reject) => {
    if (r.via !== 'ws') return resolve();
    const ws = connectWs(new URL('/ws', gateway), {
      open: () => ws.send(2, Buffer.from(encode({ type: 'auth', token: r.token }))),
      bytes: () => undefined,
      close: (reason) => {
        counts.closed += 1;
        reject(new Error(`rider ${r.entry.event} #${r.entry.number}: ${reason}`));
      },
      message(_op, payload) {
        const f = decode(payload) as { type: string; ref?: string; ok?: boolean; code?: string; message?: string };
        if (f.type === 'auth') return resolve();
        if (f.type === 'error' && f.ref === undefined) return reject(new Error(`rider ${r.entry.number}: ${f.code}: ${f.message}`));
        if (f.ref === undefined) return;
        const sentUs = pendingWs.get(f.ref);
        if (sentUs === undefined) return;
        pendingWs.delete(f.ref);
        if (f.type === 'position' && f.ok) {
          counts.ackedWs += 1;
          ackWs.add(wallUs() - sentUs);
          worstAck.add(sentUs, wallUs() - sentUs);
        } else refuse(f.code ?? f.type);
      },
    });
    r.ws = ws;
  });
}

let refs = 0;
function sendFix(r: Rider) {
  const us = wallUs();
  const { lat, lon } = where(r, us);
  if (r.via === 'ws') {
    const ref = String(++refs);
    pendingWs.set(ref, us);
    counts.sentWs += 1;
    r.ws!.send(2, Buffer.from(encode({ type: 'position', ref, event: r.entry.event, number: r.entry.number, atMs: us / 1000, lat, lon, speed: 2.6, accuracy: 5 })));
    return;
  }
  counts.sentOsmand += 1;
  pendingOsmand += 1;
  const path = `/api/gps/osmand?id=${r.deviceKey}&timestamp=${(us / 1000).toFixed(3)}&lat=${lat.toFixed(7)}&lon=${lon.toFixed(7)}&speed=5.1&accuracy=5`;
  const req = http.request({ host: gateway.hostname, port: gateway.port, path, method: 'POST', agent }, (res) => {
    res.resume();
    res.on('end', () => {
      pendingOsmand -= 1;
      if (res.statusCode === 200) {
        counts.ackedOsmand += 1;
        ackOsmand.add(wallUs() - us);
        worstAck.add(us, wallUs() - us);
      } else refuse(`http_${res.statusCode}`);
    });
  });
  req.on('error', () => {
    pendingOsmand -= 1;
    counts.failed += 1;
  });
  req.end();
}

/** Every rider sends at its phase in the second (i / n of it), then every 1000 ms, until `durationMs` is over. */
async function go(riders: Rider[], durationMs: number) {
  const startUs = wallUs() + 20_000;
  const endUs = startUs + durationMs * 1000;
  const timers = riders.map((r, i) => {
    let due = startUs + Math.round((i / riders.length) * 1e6);
    const tick = () => {
      if (due >= endUs) return;
      sendLag.add(Math.max(0, wallUs() - due));
      sendFix(r);
      due += 1e6;
      t = setTimeout(tick, Math.max(0, (due - wallUs()) / 1000));
    };
    let t = setTimeout(tick, Math.max(0, (due - wallUs()) / 1000));
    return () => clearTimeout(t);
  });
  await new Promise((r) => setTimeout(r, durationMs + 50));
  timers.forEach((stop) => stop());
  // The last fixes' answers: JetStream acks within ms when healthy; wait at most 5 s, then count the rest as unanswered.
  const until = Date.now() + 5000;
  while ((pendingWs.size > 0 || pendingOsmand > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return { ...counts, unanswered: pendingWs.size + pendingOsmand, ackWsUs: ackWs.take(), ackOsmandUs: ackOsmand.take(), sendLagUs: sendLag.take(), worstAckUs: worstAck.take() };
}

let riders: Rider[] = [];
process.on('message', (m: { cmd: string; gatewayUrl?: string; riders?: RiderCredential[]; durationMs?: number }) => {
  if (m.cmd === 'connect') {
    gateway = new URL(m.gatewayUrl!);
    riders = m.riders!.map((r, i) => ({ ...r, i }));
    void Promise.all(riders.map(connectRider)).then(
      () => process.send?.({ type: 'connected', ws: riders.filter((r) => r.via === 'ws').length }),
      (error: Error) => process.send?.({ type: 'connected', error: error.message }),
    );
  }
  if (m.cmd === 'go') void go(riders, m.durationMs!).then((stats) => process.send?.({ type: 'done', stats }));
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), Number(process.env.LIFETIME_MS ?? 600_000)).unref();

import { decode, encode } from '@msgpack/msgpack';
import { wallUs } from '../../fanout/clock.ts';
import { createReservoir } from '../../fanout/stats.ts';
import { connectWs, type WsClient } from '../../fanout/ws-client.ts';
import type { SessionRef } from '../../../gateway/protocol.ts';
import { createWorstPerSecond } from './worst-per-second.ts';

/**
 * Spectators watching the live maps, in a load process of their own: raw WebSocket clients (bench/fanout/ws-client.ts)
 * on `/ws`, each subscribed to one session. Every rider in a `positions` frame (not `full`: those repeat fixes a
 * joiner missed) is one fix-to-map sample: the frame's arrival on the shared clock minus the fix's own time, which
 * the rider load set to its send time. Also counts each distinct fix (session, rider, time) seen by any spectator.
 *
 * IPC: `{cmd: 'connect', wsUrl, sessions, perSession}` → `connected` once every spectator has its snapshot;
 * `{cmd: 'reset'}` → `reset` (a new window); `{cmd: 'stats'}` → `stats` for the window.
 */
const latency = createReservoir(50_000);
/** The worst fix-to-map latency of the fixes sent in each second of the window. */
const worst = createWorstPerSecond();
let counts = { frames: 0, positionsFrames: 0, samples: 0, closed: 0 };
let fixes = new Set<string>();
const sockets: WsClient[] = [];

type Frame = { type: string; session?: string; full?: boolean; riders?: { number: string; atUs: number }[] };

function spectate(wsUrl: URL, ref: SessionRef): Promise<void> {
  return new Promise((resolve, reject) => {
    let subscribed = false;
    const ws = connectWs(wsUrl, {
      open: () => ws.send(2, Buffer.from(encode({ type: 'subscribe', ...ref }))),
      bytes: () => undefined,
      close: (reason) => {
        counts.closed += 1;
        if (!subscribed) reject(new Error(`spectator of ${ref.session}: ${reason}`));
      },
      message(_op, payload) {
        const now = wallUs();
        counts.frames += 1;
        const f = decode(payload) as Frame;
        if (f.type === 'snapshot' && !subscribed) {
          subscribed = true;
          resolve();
        }
        if (f.type === 'error' && !subscribed) reject(new Error(`spectator of ${ref.session}: ${JSON.stringify(f)}`));
        if (f.type !== 'positions' || f.full) return;
        counts.positionsFrames += 1;
        for (const r of f.riders ?? []) {
          counts.samples += 1;
          latency.add(now - r.atUs);
          worst.add(r.atUs, now - r.atUs);
          fixes.add(`${f.session}/${r.number}/${r.atUs}`);
        }
      },
    });
    sockets.push(ws);
  });
}

process.on('message', (m: { cmd: string; wsUrl?: string; sessions?: SessionRef[]; perSession?: number }) => {
  if (m.cmd === 'connect') {
    const url = new URL(m.wsUrl!);
    const all = m.sessions!.flatMap((ref) => Array.from({ length: m.perSession! }, () => ref));
    void Promise.all(all.map((ref) => spectate(url, ref))).then(
      () => process.send?.({ type: 'connected', spectators: sockets.length }),
      (error: Error) => process.send?.({ type: 'connected', error: error.message }),
    );
  }
  if (m.cmd === 'reset') {
    latency.take();
    worst.take();
    counts = { frames: 0, positionsFrames: 0, samples: 0, closed: counts.closed };
    fixes = new Set();
    process.send?.({ type: 'reset' });
  }
  if (m.cmd === 'stats') process.send?.({ type: 'stats', stats: { ...counts, distinctFixes: fixes.size, latencyUs: latency.take(), worstUs: worst.take() } });
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), Number(process.env.LIFETIME_MS ?? 600_000)).unref();

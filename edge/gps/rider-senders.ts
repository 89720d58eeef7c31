import { decode, encode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import type { GpxPoint } from './gpx.ts';

/**
 * How `pitwall edge gps` reaches the gateway as one rider, through the same endpoints a phone uses (only the gateway
 * publishes `gps.…`): the rider page's WebSocket protocol (docs/protocol.md: `auth`, then `position` frames) or
 * Traccar Client's OsmAnd request. Edge code speaks the documented wire formats itself: it imports nothing from
 * the gateway.
 */
export interface RiderSender {
  /** Resolves once the gateway stored the fix; rejects with the gateway's reason. */
  send(point: GpxPoint): Promise<void>;
  close(): Promise<void>;
}

/** The gateway refused a fix; `credential`: for who sent it (key or token refused, another entry), so every later fix would be too. */
export class RiderRefusedError extends Error {
  override name = 'RiderRefusedError';
  constructor(message: string, readonly credential = false) {
    super(message);
  }
}

/** The WebSocket error codes that refuse the sender rather than one fix (docs/protocol.md, `position`). */
const CREDENTIAL_CODES = ['auth_required', 'auth_failed', 'forbidden'];

/** A rider on the gateway's `/ws`, logged in with its competitor token; one fix in flight at a time. */
export async function openWsRider(opts: { gatewayUrl: string; token: string; entry: { event: string; number: string } }): Promise<RiderSender> {
  const ws = new WebSocket(`${opts.gatewayUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/ws`);
  ws.binaryType = 'arraybuffer';
  let waiting: { ref: string; resolve(): void; reject(error: Error): void } | undefined;
  let loggedIn: { resolve(): void; reject(error: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => { loggedIn = { resolve, reject }; });
  const fail = (error: Error) => {
    loggedIn?.reject(error);
    waiting?.reject(error);
    waiting = undefined;
  };
  ws.on('open', () => ws.send(encode({ type: 'auth', token: opts.token })));
  ws.on('error', (error) => fail(error));
  ws.on('close', () => fail(new Error('the gateway closed the connection')));
  ws.on('message', (data: ArrayBuffer) => {
    const frame = decode(new Uint8Array(data)) as { type: string; ref?: string; code?: string; message?: string };
    if (frame.type === 'auth') return loggedIn?.resolve();
    if (frame.type === 'error' && frame.code === 'auth_failed') return fail(new RiderRefusedError(`token refused: ${frame.message}`, true));
    if (!waiting || frame.ref !== waiting.ref) return;
    const done = waiting;
    waiting = undefined;
    if (frame.type === 'position') done.resolve();
    else done.reject(new RiderRefusedError(`${frame.code}: ${frame.message}`, CREDENTIAL_CODES.includes(frame.code ?? '')));
  });
  await ready;
  let seq = 0;
  return {
    send(point) {
      const ref = `g${++seq}`;
      const answer = new Promise<void>((resolve, reject) => { waiting = { ref, resolve, reject }; });
      ws.send(encode({ type: 'position', ref, event: opts.entry.event, number: opts.entry.number, atMs: point.atMs, lat: point.lat, lon: point.lon }));
      return answer;
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close();
      await closed;
    },
  };
}

/** A rider as Traccar Client: one OsmAnd request per fix with its device key (query form, time in Unix ms). */
export function openOsmAndRider(opts: { gatewayUrl: string; deviceKey: string; entry: { event: string; number: string } }): RiderSender {
  const base = `${opts.gatewayUrl.replace(/\/$/, '')}/api/gps/osmand/${encodeURIComponent(opts.entry.event)}/${encodeURIComponent(opts.entry.number)}`;
  return {
    async send(point) {
      const query = new URLSearchParams({ id: opts.deviceKey, timestamp: String(point.atMs), lat: String(point.lat), lon: String(point.lon) });
      const res = await fetch(`${base}?${query}`, { method: 'POST' });
      if (res.ok) return;
      const body = await res.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { error: { message: string } }).error.message;
      } catch { /* not the gateway's JSON: the body as it is */ }
      throw new RiderRefusedError(`${res.status}: ${message}`, res.status === 401 || res.status === 403);
    },
    close: async () => undefined,
  };
}

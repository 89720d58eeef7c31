import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every event declaration, public and private, read from KV `events` (keys `<track>.<event>`) with the gateway's
 * NATS user. The handlers (routes.ts) leave out private events the caller may not see. Read at most once per `cacheMs`: a declaration changes rarely and a listing is
 * one KV scan. The engine validated each declaration before it was stored; entries that are not even shaped like
 * one are skipped and logged.
 *
 * `serveStale`: once a listing succeeded, callers never wait for the next one: past `cacheMs` they get the last list
 * while a new one is read in the background (and keep getting it if that read fails). For the riders' path, where
 * every fix asks: a listing is a JetStream API call (KV `keys()` creates a consumer), and when the API is slow every
 * fix arriving meanwhile would wait for it (the GPS riders benchmark, bench/system/gps-riders.ts).
 */
export function createDeclarationReader(deps: { nc: NatsConnection; log: (line: string) => void; now?: () => number },
  opts: { cacheMs: number; serveStale?: boolean }) {
  const now = deps.now ?? Date.now;
  let kv: Promise<KV> | undefined;
  let cached: { at: number; list: Promise<EventDeclaration[]> } | undefined;

  const read = async (): Promise<EventDeclaration[]> => {
    kv ??= new Kvm(deps.nc).open('events');
    const bucket = await kv.catch((error: unknown) => {
      kv = undefined;
      throw error;
    });
    const out: EventDeclaration[] = [];
    for await (const key of await bucket.keys()) {
      const entry = await bucket.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      let value: unknown;
      try {
        value = entry.json();
      } catch {
        value = undefined;
      }
      if (!isRecord(value) || typeof value.track !== 'string' || typeof value.event !== 'string' || !Array.isArray(value.sessions)) {
        deps.log(`gateway: KV events/${key} is not a declaration: skipped`);
        continue;
      }
      out.push(value as unknown as EventDeclaration);
    }
    return out.sort((a, b) => a.track.localeCompare(b.track) || a.event.localeCompare(b.event));
  };

  if (opts.serveStale) {
    let last: { at: number; list: EventDeclaration[] } | undefined;
    let reading: Promise<EventDeclaration[]> | undefined;
    const refresh = () => {
      const at = now();
      return (reading ??= read().then((list) => {
        last = { at, list };
        return list;
      }).finally(() => { reading = undefined; }));
    };
    return (): Promise<EventDeclaration[]> => {
      if (!last) return refresh();
      if (now() - last.at > opts.cacheMs && !reading) {
        refresh().catch((error: Error) => deps.log(`gateway: KV events could not be listed (${error.message}): the last list stays in use`));
      }
      return Promise.resolve(last.list);
    };
  }
  return (): Promise<EventDeclaration[]> => {
    if (!cached || now() - cached.at > opts.cacheMs) {
      const list = read();
      cached = { at: now(), list };
      list.catch(() => { if (cached?.list === list) cached = undefined; });
    }
    return cached.list;
  };
}

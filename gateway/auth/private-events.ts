import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { LiveSessions } from '../live-sessions.ts';
import type { SessionRef } from '../protocol.ts';

/** A private event a session belongs to: whoever follows the session must be allowed into it. */
export interface PrivateEvent {
  track: string;
  event: string;
  /** The organisation that owns it; a private event without one is visible to nobody. */
  org?: string;
}

/** Which private events govern a session: none for a public one. Rejects when the declarations cannot be read. */
export type PrivateEventLookup = (ref: SessionRef) => Promise<PrivateEvent[]>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** No `events` bucket (a NATS without the stack's streams): there are no declarations, so nothing is private. */
const noBucket = (error: unknown) => /stream not found|bucket not found|no responders|jetstream not enabled/i.test(String((error as Error)?.message));

/**
 * Finds a session's event declaration in KV `events` (keys `<track>.<event>`): the event an engine's health names
 * for the live session, else every declaration of the track that has a session of that id (session ids repeat
 * across meetings; failing closed, each private one of them must admit the client). Answers are cached for
 * `cacheMs` per session (a declaration made private takes at most that long to apply to new subscriptions), and
 * concurrent lookups of one session share one read.
 */
export function createPrivateEventLookup(deps: { nc: NatsConnection; live: LiveSessions; log: (line: string) => void; now?: () => number },
  opts: { cacheMs: number }): PrivateEventLookup {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { at: number; answer: Promise<PrivateEvent[]> }>();
  let kv: Promise<KV> | undefined;

  const bucket = () => {
    kv ??= new Kvm(deps.nc).open('events', { bindOnly: true }).catch((error: unknown) => {
      kv = undefined;
      throw error;
    });
    return kv;
  };

  const declaration = async (events: KV, key: string): Promise<EventDeclaration | undefined> => {
    const entry = await events.get(key);
    if (!entry || entry.operation !== 'PUT') return undefined;
    try {
      const value: unknown = entry.json();
      if (isRecord(value) && typeof value.track === 'string' && Array.isArray(value.sessions)) return value as unknown as EventDeclaration;
    } catch {
      // logged below
    }
    deps.log(`gateway: KV events/${key} is not a declaration: skipped`);
    return undefined;
  };

  const read = async (ref: SessionRef): Promise<PrivateEvent[]> => {
    try {
      return await readBucket(await bucket(), ref);
    } catch (error) {
      if (noBucket(error)) return [];
      throw error;
    }
  };

  const readBucket = async (events: KV, ref: SessionRef): Promise<PrivateEvent[]> => {
    const live = deps.live.list().find((s) => s.track === ref.track && s.session === ref.session);
    const keys: string[] = [];
    if (live) keys.push(`${ref.track}.${live.event}`);
    else for await (const key of await events.keys(`${ref.track}.*`)) keys.push(key);
    const found = await Promise.all(keys.map((key) => declaration(events, key)));
    return found
      .filter((d): d is EventDeclaration => d !== undefined && d.private === true && (live !== undefined || d.sessions.some((s) => s.id === ref.session)))
      .map((d) => ({ track: d.track, event: d.event, ...(typeof d.org === 'string' && { org: d.org }) }));
  };

  return (ref) => {
    const key = `${ref.track}/${ref.session}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at <= opts.cacheMs) return hit.answer;
    if (cache.size >= 10_000) for (const [k, v] of cache) if (now() - v.at > opts.cacheMs) cache.delete(k); // any slug may be asked for
    const answer = read(ref);
    cache.set(key, { at: now(), answer });
    answer.catch(() => { if (cache.get(key)?.answer === answer) cache.delete(key); });
    return answer;
  };
}

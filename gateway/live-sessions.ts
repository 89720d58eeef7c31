import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../actors/contracts/subjects.ts';

/** One live session as an engine's health message lists it (`engine.<node>.health`, JSON). */
export interface LiveSession {
  track: string;
  event: string;
  session: string;
  name: string;
  type: string;
  state: string;
}

export interface LiveSessions {
  /** Live sessions of every engine heard from within the stale limit, with the node that runs each. */
  list(): (LiveSession & { node: string })[];
  stop(): void;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const FIELDS = ['track', 'event', 'session', 'name', 'type', 'state'] as const;

function parseHealth(text: string): { node: string; sessions: LiveSession[] } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'health is not JSON';
  }
  if (!isRecord(value) || typeof value.node !== 'string' || !Array.isArray(value.sessions)) return 'health needs node and sessions';
  const sessions: LiveSession[] = [];
  for (const s of value.sessions) {
    if (!isRecord(s) || FIELDS.some((f) => typeof s[f] !== 'string')) return 'health: a session needs track, event, session, name, type, state';
    sessions.push(Object.fromEntries(FIELDS.map((f) => [f, s[f]])) as unknown as LiveSession);
  }
  return { node: value.node, sessions };
}

/**
 * The live sessions, from the engines' health messages (once a second each). A node not heard from for `staleMs`
 * is dropped with its sessions. `now` is a dependency so tests can move time.
 */
export function createLiveSessions(deps: { nc: NatsConnection; log: (line: string) => void; now?: () => number; badInput?: () => void },
  opts: { staleMs: number }): LiveSessions {
  const now = deps.now ?? Date.now;
  const nodes = new Map<string, { at: number; sessions: LiveSession[] }>();
  const sub = deps.nc.subscribe(subjects.allEngineHealth(), {
    callback: (err, msg) => {
      if (err) return deps.log(`gateway: engine health: ${err.message}`);
      const health = parseHealth(msg.string());
      if (typeof health === 'string') {
        deps.badInput?.();
        return deps.log(`gateway: ${msg.subject}: ${health}`);
      }
      nodes.set(health.node, { at: now(), sessions: health.sessions });
    },
  });
  return {
    list() {
      const fresh = now() - opts.staleMs;
      const out: (LiveSession & { node: string })[] = [];
      for (const [node, { at, sessions }] of nodes) {
        if (at < fresh) nodes.delete(node);
        else out.push(...sessions.map((s) => ({ ...s, node })));
      }
      return out.sort((a, b) => a.track.localeCompare(b.track) || a.session.localeCompare(b.session));
    },
    stop: () => sub.unsubscribe(),
  };
}

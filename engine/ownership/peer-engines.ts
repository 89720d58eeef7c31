import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../actors/contracts/subjects.ts';

/**
 * How many sessions each other engine runs, from their health messages (`engine.<node>.health`, once a second).
 * Session claims use it to spread sessions without making a lone engine wait (session-claims.ts).
 */
export interface PeerEngines {
  /**
   * Sessions run by each other engine heard from within `staleMs`; undefined while this engine is too new to have
   * heard from engines that exist (less than `staleMs` since it started and none heard yet).
   */
  sessionCounts(): number[] | undefined;
  stop(): void;
}

export function watchPeerEngines(nc: NatsConnection, opts: { node: string; staleMs: number; now?: () => number }): PeerEngines {
  const now = opts.now ?? (() => performance.now());
  const startedAt = now();
  const heard = new Map<string, { sessions: number; at: number }>();
  const sub = nc.subscribe(subjects.allEngineHealth(), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const health = msg.json<{ node?: unknown; sessions?: unknown }>();
        if (typeof health.node !== 'string' || health.node === opts.node || !Array.isArray(health.sessions)) return;
        heard.set(health.node, { sessions: health.sessions.length, at: now() });
      } catch {
        // not a health message: the gateway's reader counts those; here it only means one peer fewer
      }
    },
  });
  return {
    sessionCounts() {
      const t = now();
      const live = [...heard.values()].filter((h) => t - h.at <= opts.staleMs).map((h) => h.sessions);
      if (live.length === 0 && t - startedAt < opts.staleMs) return undefined;
      return live;
    },
    stop: () => sub.unsubscribe(),
  };
}

import { decode } from '@msgpack/msgpack';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { SessionView, ViewSnapshotMessage } from '../../actors/contracts/view.ts';
import type { SessionRef } from '../protocol.ts';

export type ViewRead = { ok: true; seq: number; view: SessionView } | { ok: false; reason: 'unknown_session' | 'timeout'; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A session's current view for REST: the gateway's materialised view when spectators follow the session (no NATS
 * round trip), else one snapshot request to the engine that owns it.
 */
export function createViewReader(deps: { nc: NatsConnection; current: (ref: SessionRef) => { seq: number; view: SessionView } | undefined },
  opts: { timeoutMs: number }) {
  return async (ref: SessionRef): Promise<ViewRead> => {
    const held = deps.current(ref);
    if (held) return { ok: true, ...held };
    try {
      const reply = await deps.nc.request(subjects.viewSnapshot(ref.track, ref.session), new Uint8Array(0), { timeout: opts.timeoutMs });
      const m = decode(reply.data) as ViewSnapshotMessage;
      if (!isRecord(m) || typeof m.seq !== 'number' || !isRecord(m.view) || !Array.isArray(m.view.rows)) {
        return { ok: false, reason: 'timeout', message: 'the engine sent a snapshot this gateway cannot read' };
      }
      return { ok: true, seq: m.seq, view: m.view };
    } catch (error) {
      const message = (error as Error).message;
      const noEngine = /no responders|503/i.test(message) || (error as { code?: string }).code === '503';
      return noEngine
        ? { ok: false, reason: 'unknown_session', message: `${ref.track}/${ref.session} is not a live session` }
        : { ok: false, reason: 'timeout', message: `no snapshot of ${ref.track}/${ref.session} in ${opts.timeoutMs} ms: ${message}` };
    }
  };
}

import { decode } from '@msgpack/msgpack';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { SessionView, ViewSnapshotMessage } from '../../actors/contracts/view.ts';
import type { SessionRef } from '../protocol.ts';
import type { ArchivedViews } from './archived-views.ts';

export type ViewRead = { ok: true; seq: number; view: SessionView } | { ok: false; reason: 'unknown_session' | 'timeout'; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A session's current view for REST: the gateway's materialised view when spectators follow the session (no NATS
 * round trip), else one snapshot request to the engine that owns it, else — no engine holds it — its view folded from
 * RACE or the archive (archived-views.ts; `seq` 0 there: no live diff stream follows it).
 */
export function createViewReader(
  deps: { nc: NatsConnection; current: (ref: SessionRef) => { seq: number; view: SessionView } | undefined; archived?: ArchivedViews },
  opts: { timeoutMs: number },
) {
  const fromArchive = async (ref: SessionRef): Promise<ViewRead> => {
    const unknown = (what: string): ViewRead => ({ ok: false, reason: 'unknown_session', message: `${ref.track}/${ref.session} is ${what}` });
    if (!deps.archived) return unknown('not a live session');
    try {
      const view = await deps.archived.read(ref);
      return view ? { ok: true, seq: 0, view } : unknown('neither a live session nor a past one');
    } catch (error) {
      return { ok: false, reason: 'timeout', message: `${ref.track}/${ref.session} is not live and its events could not be read: ${(error as Error).message}` };
    }
  };
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
        ? fromArchive(ref)
        : { ok: false, reason: 'timeout', message: `no snapshot of ${ref.track}/${ref.session} in ${opts.timeoutMs} ms: ${message}` };
    }
  };
}

import type { NatsConnection } from '@nats-io/transport-node';
import type { LiveSession } from '../live-sessions.ts';
import type { ApiResult } from './http.ts';
import type { ViewRead } from './views.ts';

type Check = { ok: boolean; message?: string };

const within = <T>(ms: number, what: string, p: Promise<T>) => Promise.race([
  p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref()),
]);

/**
 * `/healthz/live`: the process serves HTTP. `/healthz/ready`: NATS is connected (a round trip to the server) and
 * the snapshot path works — one live session's view is read as a spectator's would be (none live: nothing to check).
 */
export function createHealth(deps: { nc: NatsConnection; live: () => LiveSession[]; view: (ref: LiveSession) => Promise<ViewRead> },
  opts: { timeoutMs: number }) {
  const natsCheck = async (): Promise<Check> => {
    if (deps.nc.isClosed()) return { ok: false, message: 'the NATS connection is closed' };
    try {
      const rtt = await within(opts.timeoutMs, 'NATS round trip', deps.nc.rtt());
      return { ok: true, message: `round trip ${rtt.toFixed(1)} ms` };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  };
  const snapshotCheck = async (): Promise<Check> => {
    const first = deps.live()[0];
    if (!first) return { ok: true, message: 'no live session to ask' };
    const read = await deps.view(first);
    return read.ok
      ? { ok: true, message: `${first.track}/${first.session} answered at seq ${read.seq}` }
      : { ok: false, message: read.message };
  };
  return {
    live: (): ApiResult => ({ status: 200, body: { status: 'live' } }),
    async ready(): Promise<ApiResult> {
      const nats = await natsCheck();
      const snapshot = nats.ok ? await snapshotCheck() : { ok: false, message: 'not tried: NATS is not connected' };
      const ready = nats.ok && snapshot.ok;
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks: { nats, snapshot } } };
    },
  };
}

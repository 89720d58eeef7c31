import type { Log } from '../log.ts';
import type { Lease, Leases } from './leases.ts';

/**
 * Ingest runs on one engine at a time: the one holding the `_ingest` lease. Every engine asks for it every `checkMs`;
 * the holder runs what `start` starts (ingest and what follows it) until the lease is lost or the engine stops.
 */
export const INGEST_LEASE = '_ingest';

export interface IngestRole {
  /** Epoch of the `_ingest` lease while this engine runs ingest, else undefined. */
  epoch(): number | undefined;
  /** Stops ingest if it runs here and gives the lease back. */
  stop(): Promise<void>;
}

/** Resolves after the first attempt, so that a lone engine runs ingest when it has started. */
export async function startIngestRole(
  deps: { leases: Leases; log: Log; start(lease: Lease): Promise<{ stop(): Promise<void> }> },
  opts: { checkMs: number },
): Promise<IngestRole> {
  let current: { lease: Lease; running: Promise<{ stop(): Promise<void> } | undefined> } | undefined;
  let stopped = false;
  let trying = false;

  const stopCurrent = async (release: boolean) => {
    const was = current;
    current = undefined;
    if (!was) return;
    const running = await was.running;
    await running?.stop().catch((err: Error) => deps.log(`ingest: stopping: ${err.message}`, { level: 'warn' }));
    if (release) await was.lease.release();
  };

  async function tryTake(): Promise<void> {
    if (current || trying || stopped) return;
    trying = true;
    try {
      const lease = await deps.leases.tryAcquire(INGEST_LEASE);
      if (!lease) return;
      const running = deps.start(lease).catch((err: Error) => {
        deps.log(`ingest: not started: ${err.message}`, { level: 'error' });
        lease.surrender(`ingest did not start: ${err.message}`);
        return undefined;
      });
      const mine = { lease, running };
      current = mine;
      void lease.lost.then(async () => {
        if (current === mine) await stopCurrent(false);
      });
    } catch (err) {
      deps.log(`ingest: lease: ${(err as Error).message}`, { level: 'warn' });
    } finally {
      trying = false;
    }
  }
  await tryTake();
  await current?.running;
  const timer = setInterval(() => void tryTake(), opts.checkMs);

  return {
    epoch: () => current?.lease.epoch,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await stopCurrent(true);
    },
  };
}

/**
 * Services started in order and stopped in reverse, with a shutdown deadline (after centrifugo's run.go).
 * If a start fails half-way, what already runs is stopped before the error is rethrown: nothing is left behind.
 */
export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceGroup {
  start<S extends RunningService>(name: string, starter: () => Promise<S>): Promise<S>;
  /** Stops everything in reverse start order; a service that overruns `deadlineMs` is reported and skipped. */
  stopAll(deadlineMs?: number): Promise<void>;
}

export function createServiceGroup(log: (line: string) => void): ServiceGroup {
  const running: { name: string; service: RunningService }[] = [];
  let stopping: Promise<void> | undefined;

  async function stopAll(deadlineMs = 10_000): Promise<void> {
    stopping ??= (async () => {
      for (const { name, service } of running.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const overrun = new Promise<'overrun'>((resolve) => (timer = setTimeout(() => resolve('overrun'), deadlineMs)));
        const outcome = await Promise.race([service.stop().then(() => 'stopped' as const), overrun]).catch(
          (err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        clearTimeout(timer);
        if (outcome !== 'stopped') log(`${name}: stop ${outcome === 'overrun' ? `took over ${deadlineMs} ms` : outcome}`);
      }
      running.length = 0;
    })();
    return stopping;
  }

  return {
    async start(name, starter) {
      try {
        const service = await starter();
        running.push({ name, service });
        return service;
      } catch (err) {
        await stopAll();
        throw err;
      }
    },
    stopAll,
  };
}

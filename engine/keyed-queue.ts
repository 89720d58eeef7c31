/**
 * Runs tasks one at a time per key, in the order they were added, and different keys side by side; at most
 * `maxPending` tasks wait or run at once (`add` waits for room), so a key whose tasks stall cannot pile up the rest
 * in memory. Ingest uses it with the track as key: a track's readings keep the edge's order (a session opening
 * before its passings), while one track's slow or missing session owner no longer holds every other track's.
 */
export interface KeyedQueue {
  /** Resolves once the task is queued (at once, or when there is room); the task runs after the key's earlier ones. */
  add(key: string, task: () => Promise<void>): Promise<void>;
  /** Resolves when every task added so far has finished. */
  idle(): Promise<void>;
}

export function createKeyedQueue(opts: { maxPending: number }): KeyedQueue {
  const tails = new Map<string, Promise<void>>();
  let pending = 0;
  let room: (() => void) | undefined;
  return {
    async add(key, task) {
      while (pending >= opts.maxPending) await new Promise<void>((resolve) => (room = resolve));
      pending++;
      // A task's failure is its own to handle (ingest retries in place): the next task of the key runs regardless.
      const tail = (tails.get(key) ?? Promise.resolve()).then(task).catch(() => undefined).finally(() => {
        pending--;
        if (tails.get(key) === tail) tails.delete(key);
        const wake = room;
        room = undefined;
        wake?.();
      });
      tails.set(key, tail);
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}

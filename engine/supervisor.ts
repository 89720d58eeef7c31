import type { Log } from './log.ts';

/**
 * Keeps one child per key running: starts it, restarts it with backoff when it fails, and gives up (faulted) when it
 * fails `maxRestarts` times within `windowMs` rather than restarting forever.
 */
export interface Supervised {
  /** Rejects when the child fails. */
  failed: Promise<never>;
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  maxRestarts?: number;
  windowMs?: number;
  log: Log;
  onRestart?: (key: string) => void;
}

export interface Supervisor<C extends Supervised> {
  /** Starts the child for `key` unless it runs already. */
  ensure(key: string, start: () => Promise<C>): void;
  get(key: string): C | undefined;
  /** Stops the child for `key` and forgets it: no restart, not faulted (e.g. another engine took its session). */
  drop(key: string): Promise<void>;
  children(): Map<string, C>;
  faulted(): string[];
  restarts(): number;
  stop(): Promise<void>;
}

export function createSupervisor<C extends Supervised>(opts: SupervisorOptions): Supervisor<C> {
  const maxRestarts = opts.maxRestarts ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const running = new Map<string, C>();
  /** Keys starting, running or waiting to restart. */
  const active = new Set<string>();
  /** Bumped by `ensure` and `drop`: a start or restart of an older generation is not wanted any more. */
  const generations = new Map<string, number>();
  const failures = new Map<string, number[]>();
  const faulted = new Set<string>();
  let restarts = 0;
  let stopped = false;

  function run(key: string, start: () => Promise<C>, generation = generations.get(key)): void {
    const wanted = () => !stopped && generations.get(key) === generation;
    start().then(
      (child) => {
        if (!wanted()) return void child.stop();
        running.set(key, child);
        child.failed.catch((err: Error) => {
          if (running.get(key) !== child) return; // dropped
          running.delete(key);
          void child.stop().catch(() => undefined);
          restartLater(key, start, err, generation);
        });
      },
      (err: Error) => wanted() && restartLater(key, start, err, generation),
    );
  }

  function restartLater(key: string, start: () => Promise<C>, err: Error, generation: number | undefined): void {
    if (stopped) return;
    const now = Date.now();
    const recent = [...(failures.get(key) ?? []), now].filter((t) => now - t < windowMs);
    failures.set(key, recent);
    if (recent.length > maxRestarts) {
      faulted.add(key);
      active.delete(key);
      opts.log(`supervisor: ${key} failed ${recent.length} times in ${windowMs / 1000} s, marked faulted: ${err.message}`, { session: key, level: 'error' });
      return;
    }
    const delayMs = Math.min(5000, 100 * 2 ** (recent.length - 1));
    opts.log(`supervisor: ${key} failed (${err.message}); restarting in ${delayMs} ms`, { session: key, level: 'warn' });
    restarts++;
    opts.onRestart?.(key);
    setTimeout(() => !stopped && generations.get(key) === generation && run(key, start, generation), delayMs);
  }

  return {
    ensure(key, start) {
      if (active.has(key) || faulted.has(key) || stopped) return;
      active.add(key);
      generations.set(key, (generations.get(key) ?? 0) + 1);
      run(key, start);
    },
    get: (key) => running.get(key),
    async drop(key) {
      active.delete(key);
      generations.set(key, (generations.get(key) ?? 0) + 1);
      const child = running.get(key);
      running.delete(key);
      await child?.stop();
    },
    children: () => running,
    faulted: () => [...faulted],
    restarts: () => restarts,
    async stop() {
      stopped = true;
      await Promise.allSettled([...running.values()].map((c) => c.stop()));
      running.clear();
    },
  };
}

/** Session seconds per wall-clock second, or 'max': as fast as each publish is acknowledged. */
export type Speed = number | 'max';

export interface PaceDeps {
  /** Wall clock in ms, and a sleep (passed in so tests can run without waiting). */
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface Paced {
  /** Resolves with how many items were played when all were (or the playback was stopped). */
  done: Promise<number>;
  stop(): void;
}

/**
 * Plays time-ordered items (`atUs`, µs) in real time at `speed`: the first item at once, each later one when the
 * wall clock has advanced by its distance from the first, divided by `speed`. Each `play` is awaited before the next,
 * so a stream holds them in order. Shared by the simulator and the JSON-lines replay.
 */
export function playPaced<T extends { atUs: number }>(deps: PaceDeps, items: Iterable<T>, speed: Speed, play: (item: T) => Promise<void>): Paced {
  let stopped = false;
  const done = (async () => {
    let played = 0;
    let origin: { atUs: number; wallMs: number } | undefined;
    for (const item of items) {
      if (stopped) break;
      origin ??= { atUs: item.atUs, wallMs: deps.nowMs() };
      if (speed !== 'max') {
        const waitMs = origin.wallMs + (item.atUs - origin.atUs) / 1000 / speed - deps.nowMs();
        if (waitMs > 0) await deps.sleep(waitMs);
        if (stopped) break;
      }
      await play(item);
      played++;
    }
    return played;
  })();
  return { done, stop: () => void (stopped = true) };
}

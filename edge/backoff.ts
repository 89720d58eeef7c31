/**
 * Bounded exponential backoff with jitter: attempt n waits between half and all of min(maxMs, initialMs·2ⁿ), so
 * agents that lost the same feed do not all knock again at the same moment. `random` is a dependency for tests.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };

export interface Backoff {
  /** The wait before the next attempt; each call counts one more attempt. */
  next(): number;
  /** After a success: start again from `initialMs`. */
  reset(): void;
}

export function createBackoff(opts: BackoffOptions, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
      attempt++;
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset() {
      attempt = 0;
    },
  };
}

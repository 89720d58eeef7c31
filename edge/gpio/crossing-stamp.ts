/**
 * Stamps sensor edges and drops contact bounce, shared by every wiring of one agent.
 *
 * `stamp()` is called first thing in an edge callback, before any `await`, so a crossing's time is when the kernel
 * delivered its edge, not when the agent got round to it. Stamps are strictly increasing (a stamp equal to the
 * previous one is moved 1 µs on): edges delivered in one tick keep the order the kernel gave them, and no two
 * passings share a time. The 1 µs is far inside `precisionUs`.
 *
 * `accept(key, atUs)` keeps the first edge of a crossing per sensor (`key`: a lane, a strobe) and drops every edge
 * within `debounceUs` after it — a reed contact or a light barrier chatters for a few milliseconds; a car cannot
 * cross the same lane twice that fast.
 */
export interface CrossingStamp {
  stamp(): number;
  /** True for the first edge of a crossing; false (and counted) for a bounce. */
  accept(key: string, atUs: number): boolean;
  bounces(): number;
}

export function createCrossingStamp(nowUs: () => number, opts: { debounceUs: number }): CrossingStamp {
  let lastUs = -Infinity;
  let bounces = 0;
  const lastAccepted = new Map<string, number>();
  return {
    stamp() {
      const now = nowUs();
      lastUs = now > lastUs ? now : lastUs + 1;
      return lastUs;
    },
    accept(key, atUs) {
      const previous = lastAccepted.get(key);
      if (previous !== undefined && atUs - previous < opts.debounceUs) {
        bounces++;
        return false;
      }
      lastAccepted.set(key, atUs);
      return true;
    },
    bounces: () => bounces,
  };
}

/**
 * A token bucket per client key (the remote address): `burst` requests at once, refilled at `perSecond`. Buckets
 * that are full again are forgotten, so the map holds only clients seen recently. `now` is a dependency (tests).
 */
export interface RateLimitOptions {
  burst: number;
  perSecond: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSec: number };

export interface RateLimiter {
  take(key: string): RateDecision;
  /** Clients with a bucket in memory. */
  size(): number;
}

export function createRateLimiter(opts: RateLimitOptions, now: () => number = Date.now): RateLimiter {
  if (!(opts.burst >= 1) || !(opts.perSecond > 0)) throw new Error('rate limit: burst ≥ 1 and perSecond > 0');
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = now();
  const level = (b: { tokens: number; at: number }, t: number) => Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.perSecond);

  const sweep = (t: number) => {
    if (t - lastSweep < 10_000) return;
    lastSweep = t;
    for (const [key, b] of buckets) if (level(b, t) >= opts.burst) buckets.delete(key);
  };

  return {
    take(key) {
      const t = now();
      sweep(t);
      const bucket = buckets.get(key) ?? { tokens: opts.burst, at: t };
      const tokens = level(bucket, t);
      if (tokens < 1) {
        buckets.set(key, { tokens, at: t });
        return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / opts.perSecond)) };
      }
      buckets.set(key, { tokens: tokens - 1, at: t });
      return { ok: true };
    },
    size: () => buckets.size,
  };
}

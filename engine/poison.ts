/**
 * Remembers, per session, which RACE messages made its actor throw. The supervisor's restarts replay from the last
 * snapshot; a message that throws a second time is terminated: skipped, counted and logged, and the session goes on.
 * (A correct reducer rejects bad events without throwing; this guards against bugs, not bad input.)
 */
export interface PoisonRegistry {
  /** Records a throw at `streamSeq`; returns how many times it has thrown. */
  failed(session: string, streamSeq: number): number;
  /** True when the message at `streamSeq` has thrown `maxAttempts` times and must be skipped. */
  isPoison(session: string, streamSeq: number): boolean;
}

export function createPoisonRegistry(maxAttempts = 2): PoisonRegistry {
  const failures = new Map<string, Map<number, number>>();
  return {
    failed(session, streamSeq) {
      const bySeq = failures.get(session) ?? new Map<number, number>();
      failures.set(session, bySeq);
      const count = (bySeq.get(streamSeq) ?? 0) + 1;
      bySeq.set(streamSeq, count);
      return count;
    },
    isPoison: (session, streamSeq) => (failures.get(session)?.get(streamSeq) ?? 0) >= maxAttempts,
  };
}

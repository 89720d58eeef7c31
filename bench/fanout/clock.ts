/**
 * One clock for every benchmark process. All processes run on this machine, so wall-clock microseconds taken from
 * `performance.timeOrigin + performance.now()` agree across them to a few µs; timestamps in payloads are µs since
 * BENCH_EPOCH_US (set once by the orchestrator) so they stay small integers on the wire.
 */
const epochUs = Number(process.env.BENCH_EPOCH_US ?? 0);

export const wallUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

/** µs since the run's epoch: the timestamp that payloads carry. */
export const benchUs = (): number => wallUs() - epochUs;

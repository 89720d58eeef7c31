/**
 * Wall-clock microseconds with sub-millisecond resolution, comparable across the benchmark's processes on one
 * machine (performance.timeOrigin is the process's start on the wall clock): a lap published in one process and
 * inserted in another are timed on the same clock.
 */
export const wallUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

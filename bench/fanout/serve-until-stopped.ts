/**
 * How a benchmark's server child process ends: `stop(0)` on the `stop` command, SIGTERM or a lost parent, `stop(3)`
 * when its lifetime runs out (a forgotten child never outlives a run). `stop` closes what it holds and exits.
 */
export function serveUntilStopped(stop: (code: number) => Promise<void>, lifetimeMs: number): void {
  setTimeout(() => void stop(3), lifetimeMs).unref();
  process.on('disconnect', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'stop') void stop(0);
  });
}

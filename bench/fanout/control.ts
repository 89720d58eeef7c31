import type { SessionView, ViewDiff } from '../../actors/contracts/view.ts';
import { transportDiff } from './payload.ts';
import { createRace } from './race.ts';

/** What the orchestrator tells a process that produces updates (a peer server, or Pitwall's stand-in engine). */
export type SourceCommand =
  | { cmd: 'transport'; hz: number }
  | { cmd: 'natural'; rate: number; burst: boolean }
  | { cmd: 'idle' }
  | { cmd: 'stats' }
  | { cmd: 'stop' };

export interface SourceSink {
  /** One transport tick: the same small diff for every system, stamped now. */
  transport(diff: ViewDiff): void;
  /** One passing: the standings before and after. */
  passing(prev: SessionView, next: SessionView): void;
  /** Extra numbers for `stats` (e.g. sends refused by backpressure). */
  stats?(): Record<string, number>;
  stop(): Promise<void> | void;
}

/**
 * Runs a source process: the race and the transport ticker, driven by IPC commands from the orchestrator.
 * The ticker keeps its rate on average (timers are coarse): each turn it sends the ticks owed since the start.
 * A watchdog exits the process if the orchestrator disappears or after `maxLifetimeMs`.
 */
export function runSource(sink: SourceSink, maxLifetimeMs = 30 * 60_000) {
  let ticker: ReturnType<typeof setTimeout> | undefined;
  // What was really sent (timers slip on a busy core): the orchestrator computes "offered" from these, not the plan.
  let ticks = 0;
  let passings = 0;
  const race = createRace((prev, next) => {
    passings += 1;
    sink.passing(prev, next);
  });
  const stopTicker = () => {
    clearTimeout(ticker);
    ticker = undefined;
  };
  const startTicker = (hz: number) => {
    stopTicker();
    const t0 = performance.now();
    let sent = 0;
    const turn = () => {
      const owed = Math.floor(((performance.now() - t0) / 1000) * hz) - sent;
      // Never more than 50 ms of ticks at once: a stalled process does not catch up in one huge burst.
      for (let i = 0; i < Math.min(owed, Math.ceil(hz / 20)); i += 1) {
        ticks += 1;
        sink.transport(transportDiff());
      }
      sent += owed;
      ticker = setTimeout(turn, 1);
    };
    turn();
  };
  const exit = async (code: number) => {
    stopTicker();
    race.stop();
    await sink.stop();
    process.exit(code);
  };
  setTimeout(() => void exit(3), maxLifetimeMs).unref();
  process.on('disconnect', () => void exit(0));
  process.on('message', (m: SourceCommand) => {
    switch (m.cmd) {
      case 'transport':
        race.stop();
        return startTicker(m.hz);
      case 'natural':
        stopTicker();
        return race.start(m.rate, m.burst);
      case 'idle':
        stopTicker();
        return race.stop();
      case 'stats':
        return process.send?.({ type: 'stats', stats: { ...sink.stats?.(), ticks, passings } });
      case 'stop':
        return void exit(0);
    }
  });
}

/** A server process announces it is listening. */
export const announce = (port: number, extra: Record<string, unknown> = {}) => process.send?.({ type: 'ready', port, ...extra });

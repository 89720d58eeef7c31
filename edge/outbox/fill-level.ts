import type { OutboxLevel } from '../../actors/contracts/edge-health.ts';
import type { OutboxStats } from './outbox.ts';

const LEVELS: { level: OutboxLevel; from: number }[] = [
  { level: 'critical', from: 0.8 },
  { level: 'filling', from: 0.5 },
];

/** What the outbox can hold: its limit, or less when the disk has less room left. */
export const outboxCapacity = (stats: OutboxStats) => Math.min(stats.maxBytes, stats.pendingBytes + (stats.diskFreeBytes ?? Infinity));

/** How full an outbox is (edge-health.ts `OutboxLevel`); `refused`: the last append found it full. */
export function outboxLevel(stats: OutboxStats, refused: boolean): OutboxLevel {
  if (refused) return 'full';
  const fill = stats.pendingBytes / outboxCapacity(stats);
  return LEVELS.find((l) => fill >= l.from)?.level ?? 'ok';
}

/** A warning each time the outbox reaches a higher level, and a note when it is back to ok. */
export function createFillWarnings(log: (line: string) => void): (stats: OutboxStats, refused: boolean) => void {
  const rank: Record<OutboxLevel, number> = { ok: 0, filling: 1, critical: 2, full: 3 };
  let warned: OutboxLevel = 'ok';
  return (stats, refused) => {
    const level = outboxLevel(stats, refused);
    const where = stats.dir ? ` (${stats.dir})` : '';
    const capacity = outboxCapacity(stats);
    const state = `${stats.pending} readings, ${Math.round((100 * stats.pendingBytes) / capacity)}% of ${capacity} bytes${capacity < stats.maxBytes ? ' (the disk is nearly full)' : ''}`;
    if (rank[level] > rank[warned]) {
      log(level === 'full'
        ? `outbox full${where}: ${state}; new readings wait until JetStream takes some`
        : `outbox ${level}${where}: ${state} not yet acknowledged by JetStream`);
      warned = level;
    } else if (level === 'ok' && warned !== 'ok') {
      log(`outbox back to normal${where}: ${state}`);
      warned = 'ok';
    }
  };
}

import { randomBytes } from 'node:crypto';
import type { ReadingId } from '../actors/contracts/events.ts';

/**
 * Gives an edge agent's readings their identity `(device, boot, seq)`: boot is random per process start, seq counts
 * from 1. The JetStream message id is built from it (events.ts `readingMsgId`), so a re-publish after a lost ack is
 * dropped by the stream, and the actor dedupes beyond the stream's window.
 */
export function createReadingStamp(device: string, boot = randomBytes(4).toString('hex')): (() => ReadingId) & { boot: string } {
  let seq = 0;
  return Object.assign(() => ({ device, boot, seq: ++seq }), { boot });
}

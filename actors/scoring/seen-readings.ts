import type { ReadingId } from '../contracts/events.ts';

/**
 * The readings already applied, for the (device, boot, seq) dedupe (DESIGN §2.2). Per `device:boot`, the seqs seen
 * as sorted, disjoint, non-adjacent ranges [from, to]: a boot's seqs count up from 1, so a whole session is usually
 * one range per device. JSON data; never modified in place.
 */
export type SeenReadings = Record<string, [number, number][]>;

/** `seen` with `id` added, or undefined when `id` was already there. */
export function markSeen(seen: SeenReadings, id: ReadingId): SeenReadings | undefined {
  const key = `${id.device}:${id.boot}`;
  const ranges = seen[key] ?? [];
  const seq = id.seq;
  // First range that ends at or after seq - 1 (the one seq may touch or join).
  let i = 0;
  while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
  const at = ranges[i];
  if (at && at[0] <= seq && seq <= at[1]) return undefined;
  const next = ranges.slice();
  if (at && at[1] === seq - 1) {
    const after = ranges[i + 1];
    if (after && after[0] === seq + 1) next.splice(i, 2, [at[0], after[1]]);
    else next[i] = [at[0], seq];
  } else if (at && at[0] === seq + 1) {
    next[i] = [seq, at[1]];
  } else {
    next.splice(i, 0, [seq, seq]);
  }
  return { ...seen, [key]: next };
}

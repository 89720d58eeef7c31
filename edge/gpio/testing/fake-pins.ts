import type { Bit, PinEdge, Pins } from '../pins.ts';

/**
 * Pins for tests (no GPIO here): `set(line, v)` changes an input's level and calls its watchers at once when the edge is one the line watches, in the
 * caller's tick, as the kernel's edge events would; outputs keep every write in order.
 */
export interface FakePins extends Pins {
  set(line: number, value: Bit): void;
  /** Every value written to an output line, in order. */
  writes(line: number): Bit[];
  /** What each output shows now. */
  level(line: number): Bit | undefined;
}

export function createFakePins(): FakePins {
  const levels = new Map<number, Bit>();
  const watchers = new Map<number, ((v: Bit) => void)[]>();
  const edges = new Map<number, PinEdge>();
  const written = new Map<number, Bit[]>();
  return {
    input(line, { edge }) {
      if (!levels.has(line)) levels.set(line, 0);
      edges.set(line, edge);
      return {
        watch: (cb) => watchers.set(line, [...(watchers.get(line) ?? []), cb]),
        read: () => levels.get(line) ?? 0,
        close: () => watchers.delete(line),
      };
    },
    output(line) {
      written.set(line, []);
      return { write: (v) => written.get(line)!.push(v), close: () => undefined };
    },
    close: () => watchers.clear(),
    set(line, value) {
      levels.set(line, value);
      const edge = edges.get(line);
      if (edge === 'none') return;
      if (edge === 'rising' && value === 0) return;
      if (edge === 'falling' && value === 1) return;
      for (const cb of watchers.get(line) ?? []) cb(value);
    },
    writes: (line) => [...(written.get(line) ?? [])],
    level: (line) => written.get(line)?.at(-1),
  };
}

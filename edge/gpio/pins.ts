/**
 * The small pin interface every GPIO wiring uses, so the agent runs on a Raspberry Pi (onoff-pins.ts) and in tests
 * (testing/fake-pins.ts, the one mock: there is no GPIO hardware here). Lines are the numbers the config names;
 * the adapter adds the sysfs offset of newer Pi kernels.
 */
export type Bit = 0 | 1;
/** Which edges the line reports; `none` for a line only read (a strobe's data lines). */
export type PinEdge = 'none' | 'rising' | 'falling' | 'both';

export interface InputPin {
  /**
   * Calls `onEdge` on every edge the kernel reports. The callback carries no time: callers stamp their clock first
   * thing in it, before any `await`.
   */
  watch(onEdge: (value: Bit) => void): void;
  /** The line's level now (synchronous: a strobe reads its data lines in the same tick). */
  read(): Bit;
  close(): void;
}

export interface OutputPin {
  write(value: Bit): void;
  close(): void;
}

export interface Pins {
  input(line: number, opts: { edge: PinEdge; activeLow?: boolean }): InputPin;
  output(line: number): OutputPin;
  close(): void;
}

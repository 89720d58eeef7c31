import type { Bit, InputPin, OutputPin, PinEdge, Pins } from './pins.ts';

/** The part of onoff's `Gpio` the adapter uses (onoff is an optional dependency: it may be absent). */
interface OnoffGpio {
  watch(cb: (err: Error | null | undefined, value: Bit) => void): void;
  readSync(): Bit;
  writeSync(value: Bit): void;
  unexport(): void;
}
type OnoffGpioConstructor = new (line: number, direction: string, edge?: string, opts?: { activeLow?: boolean }) => OnoffGpio;

/** onoff is missing, or the machine has no sysfs GPIO. */
export class GpioUnavailableError extends Error {
  override name = 'GpioUnavailableError';
}

/**
 * Real pins through onoff (sysfs GPIO), loaded only here and only when the agent starts, so machines without GPIO
 * (CI, a laptop) never load it. `offset` is added to every configured line: Raspberry Pi kernels from 6.6 number the
 * sysfs lines from 512 (see the `base` file of each `/sys/class/gpio/gpiochipN`), older ones from 0.
 */
export async function openOnoffPins(offset: number, log: (line: string) => void): Promise<Pins> {
  let Gpio: OnoffGpioConstructor & { accessible?: boolean };
  try {
    ({ Gpio } = (await import('onoff')) as unknown as { Gpio: OnoffGpioConstructor & { accessible?: boolean } });
  } catch (e) {
    throw new GpioUnavailableError(`the optional package onoff is not installed (npm install onoff): ${(e as Error).message}`, { cause: e });
  }
  if (Gpio.accessible === false) throw new GpioUnavailableError('this machine has no accessible sysfs GPIO (/sys/class/gpio): is it a Raspberry Pi, and is the user in the gpio group?');
  const opened: OnoffGpio[] = [];
  const open = (line: number, direction: string, edge?: PinEdge, activeLow?: boolean) => {
    const g = new Gpio(line + offset, direction, edge, { activeLow: activeLow ?? false });
    opened.push(g);
    return g;
  };
  return {
    input(line, { edge, activeLow }): InputPin {
      const g = open(line, 'in', edge, activeLow);
      return {
        watch: (onEdge) => g.watch((err, value) => (err ? log(`gpio: line ${line}: ${err.message}`) : onEdge(value))),
        read: () => g.readSync(),
        close: () => g.unexport(),
      };
    },
    output(line): OutputPin {
      const g = open(line, 'out');
      return { write: (v) => g.writeSync(v), close: () => g.unexport() };
    },
    close() {
      for (const g of opened.splice(0)) g.unexport();
    },
  };
}

import type { EntryDeclaration } from '../../actors/contracts/declaration.ts';
import { createRandom } from '../../actors/random.ts';

/**
 * A simulated field: when each car crosses the line. Pure and seeded. Each car has a pace from its class and its
 * driver, lap-to-lap noise, occasional slow laps (traffic, a moment off track), one pit stop, and — with a small
 * chance — a retirement, after which it never crosses again.
 */

export interface SimCar {
  number: string;
  class: string;
  transponder: string;
}

export interface Crossing {
  car: SimCar;
  /** Absolute crossing time, µs. */
  atUs: number;
  /** The lap this crossing completes (1 = first lap). */
  lap: number;
}

export interface FieldOptions {
  seed: number;
  /** Green flag time, µs. */
  startAtUs: number;
  /** Typical lap time per class, µs; classes without one get `defaultPaceUs`. */
  classPaceUs?: Record<string, number>;
  defaultPaceUs?: number;
}

export interface FieldModel {
  cars: SimCar[];
  /** The next crossing of any car, in time order; undefined when every car has stopped. */
  next(): Crossing | undefined;
  /** Stop a car for good (it took the checkered flag). */
  retire(number: string): void;
}

const SECOND = 1_000_000;

/** Club-circuit lap times of the demo classes. */
export const DEMO_CLASS_PACE_US: Record<string, number> = { gt3: 58 * SECOND, gt4: 63 * SECOND, tcr: 65 * SECOND, cup: 67 * SECOND };

export function createFieldModel(entries: EntryDeclaration[], opts: FieldOptions): FieldModel {
  const random = createRandom(opts.seed);
  const cars = entries.map((e) => ({ number: e.number, class: e.class, transponder: e.transponder ?? `sim-${e.number}` }));
  const state = cars.map((car, grid) => {
    const pace = (opts.classPaceUs?.[car.class] ?? opts.defaultPaceUs ?? 60 * SECOND) * random.between(0.98, 1.025);
    return {
      car,
      pace,
      lap: 0,
      // standing start: a longer first lap, and the back of the grid crosses later
      nextAtUs: Math.round(opts.startAtUs + pace * 1.08 + grid * 0.25 * SECOND),
      pitLap: Math.floor(random.between(8, 22)),
      retireLap: random.chance(0.05) ? Math.floor(random.between(3, 25)) : Infinity,
      running: true,
    };
  });

  return {
    cars,
    next() {
      let first: (typeof state)[number] | undefined;
      for (const s of state) if (s.running && (!first || s.nextAtUs < first.nextAtUs)) first = s;
      if (!first) return undefined;
      const crossing = { car: first.car, atUs: first.nextAtUs, lap: ++first.lap };
      let lapUs = first.pace * random.between(0.994, 1.006);
      if (random.chance(0.04)) lapUs *= random.between(1.08, 1.25); // a slow lap
      if (first.lap === first.pitLap) lapUs += random.between(25, 35) * SECOND; // pit stop on the next lap
      first.nextAtUs += Math.round(lapUs);
      if (first.lap >= first.retireLap) first.running = false;
      return crossing;
    },
    retire(number) {
      const s = state.find((c) => c.car.number === number);
      if (s) s.running = false;
    },
  };
}

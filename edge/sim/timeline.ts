import type { EventDeclaration, SessionDeclaration } from '../../actors/contracts/declaration.ts';
import type { Flag } from '../../actors/contracts/flags.ts';
import { createFieldModel, DEMO_CLASS_PACE_US } from './field.ts';

/**
 * The whole simulated session as a time-ordered stream of what a track would report: the session opening, one clock
 * tick per second, the start with the green flag, every crossing, a full-course yellow in the middle, the checkered
 * flag when the finish rule says so, each car's last crossing, and the end of the session once all are in. Pure: the same options give the same
 * stream; the runner only stamps reading ids and paces it.
 */
export type SimEvent =
  | { atUs: number; type: 'session.open' | 'session.start' | 'session.finish' | 'clock.tick' }
  | { atUs: number; type: 'flag'; flag: Flag }
  | { atUs: number; type: 'passing'; transponder: string; car: string; lap: number };

export interface TimelineOptions {
  /** How many cars of the declared entries take part (the first N). */
  cars: number;
  seed: number;
  /** When the session opens, µs since the epoch. */
  openAtUs: number;
  /** From opening to the green flag. */
  warmupUs?: number;
  /** Typical lap time per class, µs (default: the demo's club circuit, DEMO_CLASS_PACE_US); a longer circuit gives fewer laps. */
  classPaceUs?: Record<string, number>;
}

const SECOND = 1_000_000;

export function* sessionTimeline(
  declaration: EventDeclaration,
  session: SessionDeclaration,
  opts: TimelineOptions,
): Generator<SimEvent> {
  const startAtUs = opts.openAtUs + (opts.warmupUs ?? 10 * SECOND);
  const field = createFieldModel(declaration.entries.slice(0, opts.cars), {
    seed: opts.seed,
    startAtUs,
    classPaceUs: opts.classPaceUs ?? DEMO_CLASS_PACE_US,
  });
  const durationUs = 'timeMs' in session.finish ? session.finish.timeMs * 1000 : session.finish.laps * 65 * SECOND;
  // Timed marks: the start and a full-course yellow from 40% to 40% + 90 s of the planned duration.
  const marks: SimEvent[] = [
    { atUs: startAtUs, type: 'session.start' },
    { atUs: startAtUs, type: 'flag', flag: 'green' },
    { atUs: startAtUs + Math.round(durationUs * 0.4), type: 'flag', flag: 'fcy' },
    { atUs: startAtUs + Math.round(durationUs * 0.4) + 90 * SECOND, type: 'flag', flag: 'green' },
  ];
  let nextTickUs = opts.openAtUs;
  yield { atUs: opts.openAtUs, type: 'session.open' };

  function* until(atUs: number): Generator<SimEvent> {
    for (;;) {
      const mark = marks[0];
      const tickFirst = mark === undefined || nextTickUs < mark.atUs;
      const due = tickFirst ? nextTickUs : mark.atUs;
      if (due > atUs) return;
      if (tickFirst) {
        nextTickUs += SECOND;
        if (due > opts.openAtUs) yield { atUs: due, type: 'clock.tick' };
      } else {
        marks.shift();
        yield mark;
      }
    }
  }

  const laps = new Map<string, number>();
  let maxLaps = 0;
  let checkeredAtUs: number | undefined;
  for (let crossing = field.next(); crossing; crossing = field.next()) {
    yield* until(crossing.atUs);
    const { car, atUs, lap } = crossing;
    yield { atUs, type: 'passing', transponder: car.transponder, car: car.number, lap };
    laps.set(car.number, lap);
    const leads = lap > maxLaps;
    maxLaps = Math.max(maxLaps, lap);
    if (checkeredAtUs !== undefined) {
      field.retire(car.number); // took the checkered flag
      continue;
    }
    const over = 'timeMs' in session.finish ? atUs - startAtUs >= durationUs : lap >= session.finish.laps;
    if (over && leads) {
      checkeredAtUs = atUs;
      marks.length = 0; // no flags after the checkered
      yield { atUs, type: 'flag', flag: 'checkered' };
      field.retire(car.number);
    }
  }
  // Every car has taken the flag (or stopped): the session is over.
  yield* until(nextTickUs);
  yield { atUs: nextTickUs - SECOND, type: 'session.finish' };
}

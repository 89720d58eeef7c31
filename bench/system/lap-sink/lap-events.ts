import type { LapEvent } from '../../../actors/contracts/events.ts';

/** The laps of the lap-sink scenario: 100-car fields at the `bench` track, ~88 s laps, one class in three GT4. */
export const TRACK = 'bench';
const EVENT = 'bench-meeting';

export function lapEvent(session: string, carIndex: number, lap: number, atUs: number): LapEvent {
  const lapUs = 88_000_000 + carIndex * 37_000;
  return {
    kind: 'lap', track: TRACK, event: EVENT, session, car: String(carIndex + 1), class: carIndex % 3 === 0 ? 'gt4' : 'gt3',
    lap, lapUs, raceUs: lap * lapUs, atUs, position: carIndex + 1, flag: 'green', pit: false,
  };
}

/** The `i`-th lap of a backlog: cars 1–100 in turn, then their next lap. */
export const backlogLap = (session: string, i: number, atUs: number) => lapEvent(session, i % 100, Math.floor(i / 100) + 1, atUs);

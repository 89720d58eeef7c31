import type { BoardKind } from './board.ts';

/** What the comparator knows of one car in one session: its passings and the program's rows of it. */
export interface CarTrack {
  /** Race times (µs) of the car's `$J` crossings, and their lap times (ms). */
  crossings: Set<number>;
  lapTimesMs: Set<number>;
  /** Race times of crossings the program's rows showed that the feed never sent as `$J` (so far). */
  unsent: Set<number>;
  /** The next row on this board is the car's answering row (first after its own `$J`). */
  answering: Record<BoardKind, boolean>;
  /** A `$J` of the car came after its last row on this board. */
  passedSince: Record<BoardKind, boolean>;
  /** The program's last row of the car outside dump blocks: laps (race) or best lap ms, and race time. */
  lastRow: Partial<Record<BoardKind, { value: number | undefined; timeUs: number | undefined }>>;
  /** Laps the program added (or took) without a passing; whether it changed a time or best lap without one. */
  editLaps: number;
  edited: Record<BoardKind, boolean>;
}

export function newCarTrack(): CarTrack {
  return {
    crossings: new Set(),
    lapTimesMs: new Set(),
    unsent: new Set(),
    answering: { race: false, best: false },
    passedSince: { race: false, best: false },
    lastRow: {},
    editLaps: 0,
    edited: { race: false, best: false },
  };
}

/** A `$J` of the car: its next rows answer it. */
export function passed(car: CarTrack, raceUs: number, lapMs: number): void {
  car.crossings.add(raceUs);
  car.unsent.delete(raceUs);
  car.lapTimesMs.add(lapMs);
  car.answering = { race: true, best: true };
  car.passedSince = { race: true, best: true };
}

/**
 * A program row of the car outside dump blocks. A row that changes the car's laps, time or best lap although the car
 * has not crossed since its previous row is an edit made in the scoring program (SCORING-NOTES: edits show up only in
 * `$G`/`$H`) — unless it shows a later crossing the feed never sent (a missing passing).
 */
export function rowSeen(car: CarTrack, kind: BoardKind, value: number | undefined, timeUs: number | undefined): void {
  const last = car.lastRow[kind];
  // A later crossing the feed never sent is a missing passing, not an edit.
  const unsentCrossing = timeUs !== undefined && timeUs > (last?.timeUs ?? 0) && !car.crossings.has(timeUs);
  if (last && !car.passedSince[kind] && !unsentCrossing && (last.value !== value || last.timeUs !== timeUs)) {
    car.edited[kind] = true;
    if (kind === 'race') car.editLaps += (value ?? 0) - (last.value ?? 0);
  }
  if (kind === 'race' && timeUs !== undefined && timeUs > 0 && !car.crossings.has(timeUs)) car.unsent.add(timeUs);
  car.lastRow[kind] = { value, timeUs };
  car.passedSince[kind] = false;
  car.answering[kind] = false;
}

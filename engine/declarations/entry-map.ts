import type { EventDeclaration } from '../../actors/contracts/declaration.ts';

/** What a reading says it saw: exactly one of these is set (an edge passing, a JSON-lines passing). */
export interface ReadingIdentity {
  /** The car number as declared (JSON-lines input only; edge agents never map readings to cars). */
  car?: string;
  transponder?: string;
  chip?: string;
  lane?: number;
  carId?: string;
}

/** Maps a reading to the car number of the declared entry that holds what it read; undefined when none does. */
export type EntryMatcher = (read: ReadingIdentity) => string | undefined;

/**
 * The one place readings are matched to entries (engine ingest and offline JSON-lines scoring): by car number,
 * transponder (`transponder` and the further `transponders`), chip, lane or car id. The declaration is validated to
 * give each identifier to one entry at most. Built once per declaration; each match is a map lookup.
 */
export function entryMatcher(declaration: EventDeclaration): EntryMatcher {
  const numbers = new Set<string>();
  const transponders = new Map<string, string>();
  const chips = new Map<string, string>();
  const lanes = new Map<number, string>();
  const carIds = new Map<string, string>();
  for (const e of declaration.entries) {
    numbers.add(e.number);
    for (const t of [e.transponder, ...(e.transponders ?? [])]) if (t) transponders.set(t, e.number);
    for (const c of e.chips ?? []) chips.set(c, e.number);
    if (e.lane !== undefined) lanes.set(e.lane, e.number);
    if (e.carId !== undefined) carIds.set(e.carId, e.number);
  }
  return (read) =>
    read.car !== undefined ? (numbers.has(read.car) ? read.car : undefined)
    : read.transponder !== undefined ? transponders.get(read.transponder)
    : read.chip !== undefined ? chips.get(read.chip)
    : read.lane !== undefined ? lanes.get(read.lane)
    : read.carId !== undefined ? carIds.get(read.carId)
    : undefined;
}

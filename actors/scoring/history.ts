import type { PassingEdit, SessionInput } from '../contracts/events.ts';

/**
 * What a session's scores were folded from, kept so that a passing edit (passing-edit.ts) can fold them again as if
 * the corrected passings had been the input from the start. Every input the reducer folded after the reading dedupe,
 * without its `reading` and `control` stamps, except those that change no score: ticks and notes move the clock or
 * the control log only, the program's agreement only the header. Passing edits are not kept: they edit the history.
 *
 * JSON data, shared between states like the rest: chunks of at most CHUNK entries; appending copies the last chunk
 * and the list of chunks, never the whole history, so a long session is not copied at every passing. A passing, by
 * far the most frequent entry, is kept as `[atUs, car]` (about 24 bytes of the session's snapshot).
 */
export type RecordedPassing = [atUs: number, car: string];
/** A kept input other than a passing. */
export type KeptInput = Bare<Exclude<SessionInput, { kind: 'passing' | 'tick' | 'note' | 'agreement' | 'passing-edit' }>>;
export type HistoryEntry = RecordedPassing | KeptInput;
export type History = HistoryEntry[][];

type Bare<T> = T extends unknown ? Omit<T, 'control' | 'reading'> : never;

const CHUNK = 512;
const UNSCORED: ReadonlySet<string> = new Set(['tick', 'note', 'agreement', 'passing-edit']);

export const isRecordedPassing = (e: HistoryEntry): e is RecordedPassing => Array.isArray(e);
const atOf = (e: HistoryEntry) => (isRecordedPassing(e) ? e[0] : e.atUs);

/** `history` with `input` at its end (unchanged for inputs that change no score). */
export function recorded(history: History | undefined, input: SessionInput): History | undefined {
  if (UNSCORED.has(input.kind)) return history;
  const entry = entryOf(input);
  const chunks = history ?? [];
  const last = chunks[chunks.length - 1];
  if (!last || last.length >= CHUNK) return [...chunks, [entry]];
  return [...chunks.slice(0, -1), [...last, entry]];
}

/** The entries in the order they were folded. */
export function* entries(history: History | undefined): Generator<HistoryEntry> {
  for (const chunk of history ?? []) yield* chunk;
}

/** The time of `car`'s passing (or timed crossing) nearest to `atUs` and at most `withinUs` from it, if any. */
export function passingNear(history: History | undefined, car: string, atUs: number, withinUs = 0): number | undefined {
  let best: number | undefined;
  for (const e of entries(history)) {
    if (!isPassingOf(e, car) || Math.abs(atOf(e) - atUs) > withinUs) continue;
    if (best === undefined || Math.abs(atOf(e) - atUs) < Math.abs(best - atUs)) best = atOf(e);
  }
  return best;
}

/**
 * The history with `edit` applied, or undefined when it names no passing the history holds. `remove` drops the
 * passing; `move` gives it to `to` where it was; `add` puts a passing before the first entry later than it.
 */
export function edited(history: History | undefined, edit: PassingEdit): History | undefined {
  const list = [...entries(history)];
  if (edit.edit === 'add') {
    const at = list.findIndex((e) => atOf(e) > edit.passingAtUs);
    list.splice(at < 0 ? list.length : at, 0, [edit.passingAtUs, edit.car]);
  } else {
    const at = list.findIndex((e) => isPassingOf(e, edit.car) && atOf(e) === edit.passingAtUs);
    const named = list[at];
    if (!named || !isPassingOf(named, edit.car) || (edit.edit === 'move' && edit.to === undefined)) return undefined;
    if (edit.edit === 'remove') list.splice(at, 1);
    else list[at] = isRecordedPassing(named) ? [named[0], edit.to!] : { ...named, car: edit.to! };
  }
  const chunks: History = [];
  for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK));
  return chunks;
}

/** A passing of `car`, or a timed crossing (RMonitor `$J`) of it. */
const isPassingOf = (e: HistoryEntry, car: string): e is RecordedPassing | Extract<KeptInput, { kind: 'crossing' }> =>
  isRecordedPassing(e) ? e[1] === car : e.kind === 'crossing' && e.car === car;

function entryOf(input: SessionInput): HistoryEntry {
  if (input.kind === 'passing') return [input.atUs, input.car];
  const { control: _c, ...rest } = input;
  if ('reading' in rest) {
    const { reading: _r, ...bare } = rest;
    return bare as KeptInput;
  }
  return rest as KeptInput;
}

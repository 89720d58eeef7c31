import type { EntryDeclaration, EventDeclaration, SessionDeclaration } from '../contracts/declaration.ts';
import type { SessionInput } from '../contracts/events.ts';
import type { Flag } from '../contracts/flags.ts';
import type { RmonRacePosition, RmonRecord } from '../contracts/rmonitor.ts';
import { flagOf, loopOf, sessionTypeOf } from './session-kind.ts';

/**
 * RMonitor records → session inputs (SCORING-NOTES, "The feed itself"). A fold over the records in feed order: no
 * clock, no I/O; the same records give the same inputs.
 *
 * - Sessions: a `$B` run is one session `run-<n>` named by its description; a new run number starts a new session,
 *   the same number continues it; `$B,95` (Orbits' scratch run) never starts one (unless no other run ever comes).
 *   Once a run is named, the records after a `$B,95` up to the next other `$B` belong to the scratch board (another
 *   run's cars, as in the Sebring captures' last refresh): skipped and counted (`scratch`).
 * - Time: a session's clock is its race time: `atUs` = race time in µs, the session starts at 0. It starts at the
 *   first `$F` or `$J` with a race time after 0; each `$F` ticks it and gives the flag (yellow = full course, finish =
 *   checkered). `$L` (time of day) is placed on the race clock by the last `$F`'s time of day.
 * - Entries (`$A`, `$COMP`, `$C`) are the declaration: class = the class description (a renamed class or a new class
 *   id moves the car), `$COMP` "Retired"/"Excluded" are dnf/dsq. Entries are listed in the order the program first
 *   places them (`$G`), else as announced. A car that crosses (`$J`) before its `$A` came (a feed joined mid-session)
 *   is an entry all the same, numbered by its registration number until its `$A` names it. An `$A` with another
 *   car's transponder renumbers that car (§14): the old entry leaves. Every change re-declares
 *   the session before its next input.
 * - Dump blocks, from the start of the file or an `$I` up to the first `$J` after it: a car's last `$G` with laps in
 *   the block seeds its laps and race time (empty laps with a race time: lap 0, the car's first crossing; empty laps
 *   and zero time seed nothing); after an `$I` the
 *   entries re-sent in the block replace the list (a car missing has been removed); a block without entries (a
 *   standalone `$I`) changes nothing. Outside blocks `$I` only clears the board: nothing.
 * - `$J` → `crossing` (the reducer applies rules 1–9). In mode follow, `$G`/`$H` → `program` positions too.
 * - Not mapped: `$COR` (finish-line camera corrections), `$T`, `$RM…`, unknown records.
 */
export interface RmonMappingOptions {
  track?: string;
  event?: string;
  mode?: 'independent' | 'follow';
  /** Session rules declared for the event: matched to a run by session id (`run-<n>`) or name. */
  declaration?: EventDeclaration;
  /**
   * Also emit the provisional session's outputs as they come, under the id `run-pending` (they are still released
   * again under the run's id once a `$B` names it). For a consumer that must follow the board before it is named:
   * the agreement report.
   */
  emitProvisional?: boolean;
}

/** The id of the provisional session (records before the first `$B`), see `emitProvisional`. */
export const PROVISIONAL_SESSION = 'run-pending';

export interface MappedInput {
  session: string;
  input: SessionInput;
}

export interface RmonMappingStats {
  records: number;
  seeds: number;
  emptySeeds: number;
  sessions: number;
  /** Records of types this mapping does not use. */
  unused: number;
  /** Records of Orbits' scratch run (`$B,95`) sent after a run was named: another board, not this session's. */
  scratch: number;
}

export interface RmonMapping {
  push(record: RmonRecord): MappedInput[];
  /** Flushes what is pending (seeds of an unfinished dump block). */
  end(): MappedInput[];
  stats(): RmonMappingStats;
  /**
   * The session the next records belong to (`run-pending` before the first `$B` names it); undefined before any
   * record or while the feed shows Orbits' scratch run.
   */
  currentSession(): string | undefined;
  /** A registration number's car number as the entries say (the number itself when unknown). */
  numberOf(regNo: string): string;
  /** Inside a dump block: from the file start or an `$I` up to the next `$J`. */
  inDumpBlock(): boolean;
  /**
   * The current session's re-declaration if entries changed since its last input (normally it waits for the next
   * input): for a consumer that compares the board now.
   */
  sync(): MappedInput[];
}

interface Car {
  regNo: string;
  number: string;
  transponder?: string;
  name: string;
  classId: number | null;
  status?: 'dnf' | 'dsq';
}

interface Run {
  id: string;
  run: number;
  name: string;
  started: boolean;
  atUs: number;
  flag?: Flag;
  finishMs?: number;
  declared: string;
  grid: Map<string, number>;
  statuses: Map<string, string>;
  /** Cars with a crossing (`$J`) or a seed in this run. */
  timed: Set<string>;
}

const SCRATCH_RUN = 95;
const DAY_MS = 86_400_000;

export function createRmonMapping(options: RmonMappingOptions = {}): RmonMapping {
  const track = options.declaration?.track ?? options.track ?? 'rmonitor';
  const event = options.declaration?.event ?? options.event ?? 'capture';
  const follow = options.mode === 'follow';
  const classes = new Map<number, string>();
  let roster = new Map<string, Car>();
  const runs = new Map<number, Run>();
  let current: Run | undefined;
  let scratch: { run: number; name: string } | undefined;
  let inBlock = true;
  let blockEntries: Set<string> | undefined;
  let blockSeeds = new Map<string, { laps: number; raceUs: number }>();
  let todOffsetUs: number | undefined;
  const stats: RmonMappingStats = { records: 0, seeds: 0, emptySeeds: 0, sessions: 0, unused: 0, scratch: 0 };
  /** After a `$B,95` following a named run, up to the next other `$B`. */
  let onScratch = false;

  const numberOf = (regNo: string) => roster.get(regNo)?.number ?? regNo;

  const openRun = (run: number, name: string): Run => {
    let r = runs.get(run);
    if (!r) {
      r = { id: `run-${run}`, run, name, started: false, atUs: 0, declared: '', grid: new Map(), statuses: new Map(), timed: new Set() };
      runs.set(run, r);
      stats.sessions++;
    }
    r.name = name;
    return r;
  };

  /**
   * The session inputs go to. A feed joined mid-session sends records before its `$B` (the 30-second refresh): they
   * go to a provisional session whose outputs are held until the first `$B` names it (or, at the end, the scratch
   * run or run 0).
   */
  let held: MappedInput[] | undefined;
  const session = (): Run => {
    if (!current) {
      current = { id: PROVISIONAL_SESSION, run: -1, name: 'Run', started: false, atUs: 0, declared: '', grid: new Map(), statuses: new Map(), timed: new Set() };
      held = [];
    }
    return current;
  };

  /** Names the provisional session: its held outputs, re-declared under the run's id and name, are released. */
  const adopt = (run: number, name: string): MappedInput[] => {
    const r = current!;
    r.run = run;
    r.id = `run-${run}`;
    r.name = name;
    runs.set(run, r);
    stats.sessions++;
    const out = held ?? [];
    held = undefined;
    for (const m of out) {
      m.session = r.id;
      if (m.input.kind === 'declaration') {
        m.input.declaration.sessions = [sessionDeclaration(r)];
        if (!options.declaration) m.input.declaration.name = r.name;
      }
    }
    return out;
  };

  const release = (out: MappedInput[]): MappedInput[] => {
    if (!held) return out;
    held.push(...out);
    return options.emitProvisional ? out.map((m) => ({ ...m })) : [];
  };

  const sessionDeclaration = (r: Run): SessionDeclaration => {
    const rule = options.declaration?.sessions.find((s) => s.id === r.id || s.name === r.name);
    return rule
      ? { ...rule, id: r.id, name: r.name }
      : { id: r.id, name: r.name, type: sessionTypeOf(r.name), finish: { timeMs: r.finishMs ?? DAY_MS } };
  };

  const declaration = (r: Run): EventDeclaration => {
    const declared = options.declaration;
    const session = sessionDeclaration(r);
    const overrides = new Map((declared?.entries ?? []).map((e) => [e.number, e]));
    const cars = [...roster.values()];
    const at = (c: Car) => r.grid.get(c.regNo) ?? Infinity;
    const ordered = cars.map((c, i) => ({ c, i })).sort((a, b) => at(a.c) - at(b.c) || a.i - b.i).map((x) => x.c);
    const entries: EntryDeclaration[] = ordered.map((c) => {
      const o = overrides.get(c.number);
      return { number: c.number, name: o?.name ?? c.name, class: o?.class ?? classOf(c) };
    });
    const classIds = [...new Set(entries.map((e) => e.class))];
    return {
      track,
      event,
      name: declared?.name ?? r.name,
      classes: classIds.map((id) => ({ id, name: declared?.classes.find((c) => c.id === id)?.name ?? id })),
      sessions: [session],
      entries,
    };
  };

  const classOf = (c: Car) => (c.classId === null ? '' : classes.get(c.classId) ?? String(c.classId));

  /** Inputs for the current session, preceded by its (re-)declaration when anything declared changed. */
  const emit = (r: Run, inputs: SessionInput[]): MappedInput[] => {
    const out: MappedInput[] = [];
    const d = declaration(r);
    const key = JSON.stringify(d);
    if (key !== r.declared) {
      r.declared = key;
      out.push({ session: r.id, input: { kind: 'declaration', atUs: r.atUs, declaration: d } });
      if (!r.started) out.push({ session: r.id, input: { kind: 'session', atUs: r.atUs, verb: 'open' } });
    }
    for (const car of roster.values()) {
      const status = car.status ?? 'running';
      if ((r.statuses.get(car.number) ?? 'running') !== status) {
        r.statuses.set(car.number, status);
        out.push({ session: r.id, input: { kind: 'status', atUs: r.atUs, car: car.number, status } });
      }
    }
    for (const input of inputs) out.push({ session: r.id, input });
    return release(out);
  };

  const clock = (r: Run, raceUs: number): SessionInput[] => {
    const out: SessionInput[] = [];
    if (!r.started && raceUs > 0) {
      r.started = true;
      r.atUs = Math.max(r.atUs, 0);
      out.push({ kind: 'session', atUs: r.atUs, verb: 'start' });
    }
    if (raceUs > r.atUs) {
      r.atUs = raceUs;
      if (r.started) out.push({ kind: 'tick', atUs: raceUs });
    }
    return out;
  };

  const endBlock = (): MappedInput[] => {
    if (!inBlock) return [];
    inBlock = false;
    if (blockEntries && blockEntries.size > 0) {
      const kept = new Map<string, Car>();
      for (const [regNo, car] of roster) if (blockEntries.has(regNo)) kept.set(regNo, car);
      roster = kept;
    }
    blockEntries = undefined;
    const seeds = blockSeeds;
    blockSeeds = new Map();
    if (seeds.size === 0) return [];
    const r = session();
    const inputs: SessionInput[] = [];
    const latest = Math.max(...[...seeds.values()].map((s) => s.raceUs));
    inputs.push(...clock(r, latest));
    for (const [regNo, s] of seeds) {
      stats.seeds++;
      r.timed.add(regNo);
      inputs.push({ kind: 'seed', atUs: s.raceUs, car: numberOf(regNo), laps: s.laps, raceUs: s.raceUs });
    }
    return emit(r, inputs);
  };

  /**
   * A car's first row with a race time when the feed never sent a crossing of it: the program assigned it passings
   * before the feed named the car (a transponder registered during the session): they seed its laps and time.
   */
  const lateSeed = (r: Run, record: RmonRacePosition): SessionInput[] => {
    if (r.timed.has(record.regNo) || !roster.has(record.regNo) || record.raceUs === null || record.raceUs <= 0) return [];
    r.timed.add(record.regNo);
    stats.seeds++;
    return [{ kind: 'seed', atUs: record.raceUs, car: numberOf(record.regNo), laps: record.laps ?? 0, raceUs: record.raceUs }];
  };

  /**
   * SCORING-NOTES §14: entries that share a transponder are one car that was renumbered. The old entry leaves the
   * board; the new one takes the program's laps and time for it from its first row (`lateSeed`).
   */
  const renumbered = (regNo: string, transponder: string) => {
    if (!transponder || /^0*$/.test(transponder)) return;
    for (const [other, car] of roster) if (other !== regNo && car.transponder === transponder) roster.delete(other);
  };

  const upsert = (regNo: string, update: Partial<Car> & { number: string }) => {
    const before = roster.get(regNo);
    roster.set(regNo, { regNo, name: '', classId: null, ...before, ...update });
    blockEntries?.add(regNo);
  };

  return {
    push(record) {
      stats.records++;
      if (onScratch && record.type !== 'B') {
        stats.scratch++;
        return [];
      }
      switch (record.type) {
        case 'A':
          renumbered(record.regNo, record.transponder);
          upsert(record.regNo, {
            number: record.number || record.regNo,
            name: carName(record.firstName, record.lastName),
            classId: record.classId,
            ...(record.transponder ? { transponder: record.transponder } : {}),
          });
          return [];
        case 'COMP': {
          const status = /retired/i.test(record.nationality) ? 'dnf' : /excluded/i.test(record.nationality) ? 'dsq' : undefined;
          const before = roster.get(record.regNo);
          const { status: _s, ...rest } = before ?? { regNo: record.regNo, number: record.number, name: '', classId: null };
          upsert(record.regNo, {
            ...rest,
            number: record.number || record.regNo,
            name: carName(record.firstName, record.lastName) || rest.name,
            classId: record.classId,
            ...(status ? { status } : {}),
          });
          return [];
        }
        case 'C':
          classes.set(record.classId, record.description);
          return [];
        case 'B': {
          if (record.run === SCRATCH_RUN) {
            scratch ??= { run: record.run, name: record.description };
            onScratch = current !== undefined && !held;
            return [];
          }
          onScratch = false;
          if (held && !runs.has(record.run)) return [...adopt(record.run, record.description), ...emit(current!, [])];
          current = openRun(record.run, record.description);
          return emit(current, []);
        }
        case 'I':
          inBlock = true;
          blockEntries = new Set();
          blockSeeds = new Map();
          return [];
        case 'F': {
          if (record.timeOfDayUs !== null && record.raceUs !== null) todOffsetUs = record.timeOfDayUs - record.raceUs;
          const r = session();
          const inputs: SessionInput[] = record.raceUs === null ? [] : clock(r, record.raceUs);
          if (r.started && r.finishMs === undefined && record.raceUs !== null && record.timeToGoUs !== null && record.timeToGoUs > 0
            && (record.lapsToGo === null || record.lapsToGo === 9999 || record.lapsToGo === 0)) {
            r.finishMs = Math.round((record.raceUs + record.timeToGoUs) / 1000);
          }
          const flag = flagOf(record.flag);
          if (r.started && flag && flag !== r.flag) {
            r.flag = flag;
            inputs.push({ kind: 'flag', atUs: r.atUs, flag });
          }
          return inputs.length ? emit(r, inputs) : [];
        }
        case 'G': {
          const r = session();
          if (!r.grid.has(record.regNo)) r.grid.set(record.regNo, record.position);
          if (inBlock) {
            if (record.laps === null && (record.raceUs ?? 0) === 0) stats.emptySeeds++;
            // Empty laps with a race time: the car's lap-0 crossing (it has crossed the line, no lap completed yet).
            else if (record.raceUs !== null) blockSeeds.set(record.regNo, { laps: record.laps ?? 0, raceUs: record.raceUs });
          }
          const seed = inBlock ? [] : lateSeed(r, record);
          if (!follow) return seed.length ? emit(r, seed) : [];
          const input: SessionInput = { kind: 'program', atUs: r.atUs, car: numberOf(record.regNo), board: 'race', position: record.position };
          if (record.laps !== null) input.laps = record.laps;
          if (record.raceUs !== null) input.timeUs = record.raceUs;
          return inBlock ? [] : emit(r, [...seed, input]);
        }
        case 'H': {
          if (!follow || inBlock || !current) return [];
          const input: SessionInput = { kind: 'program', atUs: current.atUs, car: numberOf(record.regNo), board: 'best', position: record.position };
          if (record.lapUs !== null && record.lapUs > 0) input.timeUs = record.lapUs;
          return emit(current, [input]);
        }
        case 'J': {
          const out = endBlock();
          if (record.raceUs === null || record.lapUs === null) return out;
          // A feed joined mid-session: a car crossing before its `$A` came is in the session all the same.
          if (!roster.has(record.regNo)) upsert(record.regNo, { number: record.regNo });
          const r = session();
          r.timed.add(record.regNo);
          const inputs = clock(r, record.raceUs);
          inputs.push({ kind: 'crossing', atUs: Math.max(0, record.raceUs), car: numberOf(record.regNo), raceUs: record.raceUs, lapUs: record.lapUs });
          return [...out, ...emit(r, inputs)];
        }
        case 'L': {
          if (!current || !current.started || record.timeOfDayUs === null || todOffsetUs === undefined) return [];
          const atUs = record.timeOfDayUs - todOffsetUs;
          if (atUs < 0) return [];
          const inputs = clock(current, atUs);
          inputs.push({ kind: 'line', atUs: Math.max(atUs, 0), car: record.number, line: record.line, loop: loopOf(record.lineName) });
          return emit(current, inputs);
        }
        default:
          stats.unused++;
          return [];
      }
    },
    end() {
      const out = endBlock();
      if (held) out.push(...adopt(scratch?.run ?? 0, scratch?.name ?? 'Run'));
      if (current) out.push(...emit(current, []));
      return out;
    },
    stats: () => ({ ...stats }),
    currentSession: () => (onScratch ? undefined : current?.id),
    numberOf,
    inDumpBlock: () => inBlock,
    sync: () => (current && !onScratch && !inBlock ? emit(current, []) : []),
  };
}

function carName(first: string, last: string): string {
  return [first, last].map((s) => s.trim()).filter(Boolean).join(' ');
}

/** All records at once: the inputs of every session, in feed order. */
export function mapRmonitor(records: Iterable<RmonRecord>, options: RmonMappingOptions = {}): MappedInput[] {
  const mapping = createRmonMapping(options);
  const out: MappedInput[] = [];
  for (const record of records) out.push(...mapping.push(record));
  out.push(...mapping.end());
  return out;
}

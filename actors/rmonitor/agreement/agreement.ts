import type { SessionType } from '../../contracts/declaration.ts';
import type { RmonBestLap, RmonRacePosition, RmonRecord } from '../../contracts/rmonitor.ts';
import type { SessionView } from '../../contracts/view.ts';
import { createSessionActor, type SessionActor } from '../../session-actor.ts';
import { createRmonMapping, type MappedInput, PROVISIONAL_SESSION, type RmonMappingOptions } from '../map.ts';
import { placingWith, type ProgramCar } from './adjusted.ts';
import { type Board, type BoardKind, boardOf, lapMs, type Placing } from './board.ts';
import { newCarTrack, passed, rowSeen, type CarTrack } from './car-track.ts';
import { classify, LAG_CROSSINGS, type RowFacts, sameValue } from './classify.ts';
import { finalOrder, type FinalOrder } from './final-order.ts';
import { type BoardTally, count, emptyTally } from './tally.ts';

/**
 * The agreement of independent scoring with the scoring program's own boards (`$G` race order, `$H` best-lap
 * order), record by record and at each session's end (issue 6, docs/scoring-accuracy.md). A fold over the records in
 * feed order: the records are mapped (actors/rmonitor/map.ts) and scored by the session actor exactly as
 * `pitwall score` does; each program row outside dump blocks is compared with our board at that moment and each
 * disagreement is given one cause (tally.ts). Disagreements are classified `LAG_CROSSINGS` crossings later, when the
 * boards around them are known. Pure: no clock, no I/O.
 */
/** Older Orbits sends `59:59.999` for "no best lap yet" (the 2009 captures). */
const NO_BEST_LAP_US = 3_599_999_000;

export interface SessionAgreement {
  session: string;
  name: string;
  type: SessionType;
  /** The session's clock ran (a crossing with race time after 0); untimed sessions list cars in an order of their own. */
  timed: boolean;
  race: BoardTally;
  best: BoardTally;
  finalRace: FinalOrder;
  finalBest: FinalOrder;
  /** Our final board (what `pitwall score` prints). */
  view: SessionView;
}

export interface AgreementReport {
  sessions: SessionAgreement[];
  /** Program rows before the first `$B` named a session: not compared. */
  unassignedRows: number;
}

export interface Agreement {
  /** One record, with its line in the file (for examples). */
  push(record: RmonRecord, line: number): void;
  /** Classifies what is pending and reports every session. */
  end(): AgreementReport;
  /** The counts so far, per session (disagreements waiting for their later boards are not counted yet). */
  tallies(): { session: string; race: BoardTally; best: BoardTally }[];
}

interface Pending {
  kind: BoardKind;
  line: number;
  car: string;
  program: Placing;
  ours: Placing | undefined;
  answering: boolean;
  /** Crossing boards before the row. */
  at: number;
  facts: Omit<RowFacts, 'nearby'>;
}

interface Probe {
  actor: SessionActor;
  version: number;
  boards?: { version: number; view: SessionView; race: Board; best: Board };
  /** Our boards after each crossing. */
  history: { race: Board; best: Board }[];
  cars: Map<string, CarTrack>;
  /** The program's last position of each car (outside dump blocks, cars of the session within the field). */
  final: Record<BoardKind, Map<string, number>>;
  pending: Pending[];
  tallies: Record<BoardKind, BoardTally>;
}

export function createAgreement(options: Pick<RmonMappingOptions, 'declaration'> = {}): Agreement {
  const mapping = createRmonMapping({ ...options, mode: 'independent', emitProvisional: true });
  const probes = new Map<string, Probe>();
  /** As the mapping names them in its declarations. */
  const ref = { track: options.declaration?.track ?? 'rmonitor', event: options.declaration?.event ?? 'capture' };
  let unassignedRows = 0;

  const probe = (session: string): Probe => {
    let p = probes.get(session);
    if (!p) {
      const actor = createSessionActor({ ...ref, session }, { publishLap: () => undefined }, undefined, {
        mode: 'independent',
        autoCheckered: false,
      });
      p = { actor, version: 0, history: [], cars: new Map(), final: { race: new Map(), best: new Map() }, pending: [], tallies: { race: emptyTally(), best: emptyTally() } };
      probes.set(session, p);
    }
    return p;
  };

  /**
   * Scores mapped inputs. When a `$B` names the provisional session, its inputs come again under the run's id: a
   * fresh actor scores them, and what was compared before goes on under that id.
   */
  const feed = (inputs: MappedInput[]) => {
    for (const { session, input } of inputs) {
      const provisional = probes.get(PROVISIONAL_SESSION);
      if (provisional && session !== PROVISIONAL_SESSION && !probes.has(session)) {
        provisional.actor.stop();
        probes.delete(PROVISIONAL_SESSION);
        const fresh = probe(session);
        probes.set(session, { ...omitScoring(provisional), actor: fresh.actor, version: fresh.version });
      }
      const p = probe(session);
      p.actor.send(input);
      p.version++;
    }
  };

  const boardsOf = (p: Probe) => {
    if (p.boards?.version !== p.version) {
      const view = p.actor.view();
      const { scoring } = p.actor.persist();
      p.boards = { version: p.version, view, race: boardOf('race', scoring), best: boardOf('best', scoring) };
    }
    return p.boards;
  };

  const carOf = (p: Probe, car: string) => {
    let c = p.cars.get(car);
    if (!c) p.cars.set(car, (c = newCarTrack()));
    return c;
  };

  /** Classifies pending rows whose later boards are known (all of them when `all`). */
  const settle = (p: Probe, all: boolean) => {
    const ready = p.pending.filter((r) => all || p.history.length >= r.at + LAG_CROSSINGS);
    if (!ready.length) return;
    p.pending = p.pending.filter((r) => !ready.includes(r));
    for (const r of ready) {
      const nearby = p.history.slice(Math.max(0, r.at - LAG_CROSSINGS), r.at + LAG_CROSSINGS).flatMap((b) => b[r.kind].get(r.car) ?? []);
      const cause = classify(r.kind, r.program, { ...r.facts, nearby });
      const disagreement = { line: r.line, board: r.kind, car: r.car, program: r.program, ours: r.ours, answering: r.answering, cause };
      count(p.tallies[r.kind], { positionAgrees: r.ours?.position === r.program.position, valueAgrees: sameValue(r.kind, r.program.value, r.ours?.value), answering: r.answering }, disagreement);
    }
  };

  /** Cars whose latest race row differs from our laps and time, as the program has them, by why. */
  const programOnly = (p: Probe, view: SessionView) => {
    const edits = new Map<string, ProgramCar>();
    const missing = new Map<string, ProgramCar>();
    for (const row of view.rows) {
      const c = p.cars.get(row.number);
      const last = c?.lastRow.race;
      if (!c || !last || last.timeUs === undefined || (last.value === row.laps && last.timeUs === row.raceUs)) continue;
      const program = { laps: last.value ?? 0, timeUs: last.timeUs };
      if (c.edited.race) edits.set(row.number, program);
      else if (c.unsent.size > 0) missing.set(row.number, program);
    }
    return { edits, missing };
  };

  /** Rows of the dump block in progress: compared when it ends, with its seeds and entries applied. */
  let blockRows: { session: string; record: RmonRacePosition | RmonBestLap; line: number }[] = [];

  const row = (record: RmonRacePosition | RmonBestLap, line: number) => {
    const session = mapping.currentSession();
    if (!session) unassignedRows++;
    else if (mapping.inDumpBlock()) blockRows.push({ session, record, line });
    else {
      feed(mapping.sync());
      compare(session, record, line, false);
    }
  };

  const endBlock = () => {
    const rows = blockRows;
    blockRows = [];
    for (const r of rows) compare(probes.has(r.session) ? r.session : mapping.currentSession() ?? r.session, r.record, r.line, true);
  };

  const compare = (session: string, record: RmonRacePosition | RmonBestLap, line: number, inDumpBlock: boolean) => {
    const p = probe(session);
    const kind: BoardKind = record.type === 'G' ? 'race' : 'best';
    const car = mapping.numberOf(record.regNo);
    const program: Placing = record.type === 'G'
      ? { position: record.position, value: record.laps ?? 0 }
      : { position: record.position, value: record.lapUs !== null && record.lapUs > 0 && record.lapUs < NO_BEST_LAP_US ? lapMs(record.lapUs) : undefined };
    const timeUs = record.type === 'G' ? record.raceUs ?? undefined : undefined;
    const { view, ...boards } = boardsOf(p);
    const board = boards[kind];
    const ours = board.get(car);
    const track = carOf(p, car);
    const answering = !inDumpBlock && track.answering[kind];
    if (!inDumpBlock) {
      rowSeen(track, kind, program.value, timeUs);
      if (ours && record.position <= board.size) p.final[kind].set(car, record.position);
    }
    const positionAgrees = ours?.position === program.position;
    const valueAgrees = sameValue(kind, program.value, ours?.value);
    if (positionAgrees && valueAgrees) {
      count(p.tallies[kind], { positionAgrees, valueAgrees, answering });
      return;
    }
    const facts: Omit<RowFacts, 'nearby'> = {
      inDumpBlock,
      unknownCar: !ours,
      beyondField: record.position > board.size,
      ownEdit: track.edited[kind] && (kind === 'best' || (program.value ?? 0) - (ours?.value ?? 0) === track.editLaps),
      ownMissingPassing: kind === 'race'
        ? (timeUs !== undefined && timeUs > 0 && !track.crossings.has(timeUs)) || (track.unsent.size > 0 && !valueAgrees)
        : program.value !== undefined && ![...track.lapTimesMs].some((ms) => sameValue('best', ms, program.value)),
    };
    if (kind === 'race' && ours && !inDumpBlock) {
      const { edits, missing } = programOnly(p, view);
      if (edits.size) facts.withEdits = placingWith(view, board, edits, car)!;
      if (missing.size) facts.withMissingPassings = placingWith(view, board, missing, car)!;
    }
    p.pending.push({ kind, line, car, program, ours, answering, at: p.history.length, facts });
  };

  return {
    push(record, line) {
      if (record.type === 'G' || record.type === 'H') {
        feed(mapping.push(record));
        row(record, line);
        return;
      }
      const inputs = mapping.push(record);
      if (blockRows.length && !mapping.inDumpBlock()) {
        // The block ended with this `$J`: its rows are compared before the crossing is scored.
        const crossing = inputs.findIndex((m) => m.input.kind === 'crossing');
        const before = crossing < 0 ? inputs.length : crossing;
        feed(inputs.slice(0, before));
        endBlock();
        feed(inputs.slice(before));
      } else feed(inputs);
      const session = mapping.currentSession();
      if (record.type !== 'J' || !session || record.raceUs === null || record.lapUs === null) return;
      const p = probe(session);
      passed(carOf(p, mapping.numberOf(record.regNo)), record.raceUs, lapMs(record.lapUs)!);
      const { race, best } = boardsOf(p);
      p.history.push({ race, best });
      settle(p, false);
    },
    tallies: () => [...probes].map(([session, p]) => ({ session, race: p.tallies.race, best: p.tallies.best })),
    end() {
      feed(mapping.end());
      endBlock();
      const sessions = [...probes].map(([session, p]): SessionAgreement => {
        settle(p, true);
        const { view, race, best } = boardsOf(p);
        p.actor.stop();
        return {
          session,
          name: view.name,
          type: view.type,
          timed: view.state !== 'scheduled' && view.state !== 'open',
          race: p.tallies.race,
          best: p.tallies.best,
          finalRace: finalOrder(p.final.race, race),
          finalBest: finalOrder(p.final.best, best),
          view,
        };
      });
      return { sessions, unassignedRows };
    },
  };
}

function omitScoring({ actor: _a, version: _v, boards: _b, ...compared }: Probe): Omit<Probe, 'actor' | 'version' | 'boards'> {
  return compared;
}

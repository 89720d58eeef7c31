import type { CarStatus, SessionHeader, SessionView, StandingRow } from '../contracts/view.ts';
import { elapsedOf, rank } from './rank.ts';
import { type CarScore, optionsOf, type ScoringState } from './state.ts';

/**
 * What spectators see: the header and the standings in order (rank.ts). Pure; optional fields are absent (never
 * undefined) when they do not apply, as view-diff.ts expects.
 *
 * - clockUs: latest event time − start (0 before it); it stops when the session is finished.
 * - remainingLaps / remainingUs from the finish rule, until the checkered flag (then absent).
 * - gap (to the leader) and interval (to the car ahead), overall and within the class (`class…`). Races: the
 *   difference of elapsed times (last counted crossing + penalties) when both cars have the same laps (…Us), the lap
 *   difference otherwise (…Laps). Practice and qualifying: the difference of best laps. Absent for the leader and
 *   where a car has no time.
 * - classPosition: the order within the car's class now (a class change moves the car).
 * - positionsGained: grid position (declared order) − position, in races. lapsLed, pit (in the pit lane now),
 *   pitStops, pitTimeUs, penaltyUs, elapsedUs when they apply.
 * - status: dsq/dnf/dns from race control; finished (took the checkered); dns when the session is over and the car
 *   never crossed; pit; stale — no crossing for `staleLaps` × its typical lap (best, else last) while running.
 * - penalties and controlLog: race control's, the state's own arrays (unchanged arrays diff as unchanged).
 * Before the declaration the view has the session id as its name, type race, and no rows.
 */
export function toView(state: ScoringState): SessionView {
  const declared = state.declared;
  const started = state.startUs !== undefined && state.nowUs !== undefined;
  const clockUs = started ? Math.max(0, state.nowUs! - state.startUs!) : 0;
  const header: SessionHeader = {
    track: state.ref.track,
    event: state.ref.event,
    session: state.ref.session,
    name: declared?.name ?? state.ref.session,
    type: declared?.type ?? 'race',
    state: state.phase,
    flag: state.flag,
    clockUs,
  };
  if (state.penalties) header.penalties = state.penalties;
  if (state.controlLog) header.controlLog = state.controlLog;
  if (state.agreement) {
    header.programRows = state.agreement.rows;
    header.programDisagreements = state.agreement.disagreements;
    header.programRuleDisagreements = state.agreement.rule;
  }
  const order = rank(state);
  const live = state.checkeredAtUs === undefined && state.phase !== 'finished' && state.phase !== 'official';
  if (declared && live) {
    const finish = declared.finish;
    const leaderLaps = state.cars[order[0] ?? '']?.laps ?? 0;
    if ('laps' in finish) header.remainingLaps = Math.max(0, finish.laps - leaderLaps);
    else header.remainingUs = Math.max(0, finish.timeMs * 1000 - clockUs);
  }

  const race = header.type === 'race';
  const entries = new Map((declared?.entries ?? []).map((e, i) => [e.number, { entry: e, grid: i + 1 }]));
  const classLeader = new Map<string, string>();
  const classLast = new Map<string, string>();
  const inClass = new Map<string, number>();
  const rows: StandingRow[] = [];
  for (const [i, number] of order.entries()) {
    const { entry, grid } = entries.get(number)!;
    const car = state.cars[number];
    const cls = car?.class ?? entry.class;
    const classPosition = (inClass.get(cls) ?? 0) + 1;
    inClass.set(cls, classPosition);
    const row: StandingRow = { number, name: entry.name, class: cls, position: i + 1, classPosition, laps: car?.laps ?? 0 };
    if (car?.lastLapUs !== undefined) row.lastLapUs = car.lastLapUs;
    if (car?.bestLapUs !== undefined) row.bestLapUs = car.bestLapUs;
    if (car?.lastAtUs !== undefined && state.startUs !== undefined) row.raceUs = car.lastAtUs - state.startUs;
    if (i > 0) {
      setBehind(row, '', behind(state, race, order[0]!, number));
      setBehind(row, 'interval', behind(state, race, order[i - 1]!, number));
    }
    const leader = classLeader.get(cls);
    if (leader !== undefined) {
      setBehind(row, 'class', behind(state, race, leader, number));
      setBehind(row, 'classInterval', behind(state, race, classLast.get(cls)!, number));
    } else {
      classLeader.set(cls, number);
    }
    classLast.set(cls, number);
    if (car?.finished) row.finished = true;
    if (car?.bestLapNumber !== undefined) row.bestLapNumber = car.bestLapNumber;
    if (car?.secondBestLapUs !== undefined) row.secondBestLapUs = car.secondBestLapUs;
    if (race) row.positionsGained = grid - (i + 1);
    if (car?.lapsLed) row.lapsLed = car.lapsLed;
    if (car?.inPit) row.pit = true;
    if (car?.pitStops) row.pitStops = car.pitStops;
    if (car?.pitTimeUs !== undefined) row.pitTimeUs = car.pitTimeUs;
    if (car?.penaltyUs) row.penaltyUs = car.penaltyUs;
    const elapsed = car && elapsedOf(car);
    if (elapsed !== undefined && state.startUs !== undefined) row.elapsedUs = elapsed - state.startUs;
    row.status = statusOf(state, car);
    rows.push(row);
  }
  return { ...header, rows };
}

function statusOf(state: ScoringState, car: CarScore | undefined): CarStatus {
  if (car?.status) return car.status;
  if (car?.finished) return 'finished';
  const over = state.phase === 'finished' || state.phase === 'official';
  if (car?.lastAtUs === undefined) return over ? 'dns' : 'running';
  if (car.inPit) return 'pit';
  const typical = car.bestLapUs ?? car.lastLapUs;
  if (!over && typical !== undefined && state.nowUs !== undefined && state.nowUs - car.lastAtUs > optionsOf(state).staleLaps * typical) {
    return 'stale';
  }
  return 'running';
}

type Behind = { us?: number; laps?: number };

function setBehind(row: StandingRow, prefix: '' | 'interval' | 'class' | 'classInterval', b: Behind): void {
  const names = {
    '': ['gapUs', 'gapLaps'],
    interval: ['intervalUs', 'intervalLaps'],
    class: ['classGapUs', 'classGapLaps'],
    classInterval: ['classIntervalUs', 'classIntervalLaps'],
  } as const;
  const [us, laps] = names[prefix];
  if (b.us !== undefined) row[us] = b.us;
  if (b.laps !== undefined) row[laps] = b.laps;
}

/** How far `number` is behind `ahead`: races — whole laps when the laps differ, else elapsed time; else best laps. */
function behind(state: ScoringState, race: boolean, ahead: string, number: string): Behind {
  const a = state.cars[ahead];
  const b = state.cars[number];
  if (!race) {
    if (a?.bestLapUs === undefined || b?.bestLapUs === undefined) return {};
    return { us: b.bestLapUs - a.bestLapUs };
  }
  const laps = (a?.laps ?? 0) - (b?.laps ?? 0);
  if (laps !== 0) return { laps };
  const ta = a && elapsedOf(a);
  const tb = b && elapsedOf(b);
  if (ta === undefined || tb === undefined) return {};
  return { us: tb - ta };
}

import type { SessionHeader, SessionView, StandingRow } from '../contracts/view.ts';
import { rank } from './rank.ts';
import type { ScoringState } from './state.ts';

/**
 * What spectators see: the header and the standings in race order (rank.ts). Pure; optional fields are absent (never
 * undefined) when they do not apply, as view-diff.ts expects.
 *
 * - clockUs: latest event time − start (0 before the start); it stops when the session is finished.
 * - remainingLaps / remainingUs from the finish rule, until the checkered flag (then absent).
 * - gap (to the leader) and interval (to the car ahead): the difference of the last counted crossing times when both
 *   cars have the same laps (gapUs/intervalUs), the lap difference when the laps differ (gapLaps/intervalLaps);
 *   absent for the leader and between cars that have no crossing yet.
 * - classPosition: the order within the car's class, independent of overall.
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
  const order = rank(state);
  const live = state.checkeredAtUs === undefined && state.phase !== 'finished' && state.phase !== 'official';
  if (declared && live) {
    const finish = declared.finish;
    const leaderLaps = state.cars[order[0] ?? '']?.laps ?? 0;
    if ('laps' in finish) header.remainingLaps = Math.max(0, finish.laps - leaderLaps);
    else header.remainingUs = Math.max(0, finish.timeMs * 1000 - clockUs);
  }

  const entries = new Map((declared?.entries ?? []).map((e) => [e.number, e]));
  const inClass = new Map<string, number>();
  const rows: StandingRow[] = [];
  for (const [i, number] of order.entries()) {
    const entry = entries.get(number)!;
    const car = state.cars[number];
    const classPosition = (inClass.get(entry.class) ?? 0) + 1;
    inClass.set(entry.class, classPosition);
    const row: StandingRow = {
      number,
      name: entry.name,
      class: entry.class,
      position: i + 1,
      classPosition,
      laps: car?.laps ?? 0,
    };
    if (car?.lastLapUs !== undefined) row.lastLapUs = car.lastLapUs;
    if (car?.bestLapUs !== undefined) row.bestLapUs = car.bestLapUs;
    if (car?.lastAtUs !== undefined && state.startUs !== undefined) row.raceUs = car.lastAtUs - state.startUs;
    if (i > 0) {
      const gap = behind(state, order[0]!, number);
      if (gap.us !== undefined) row.gapUs = gap.us;
      if (gap.laps !== undefined) row.gapLaps = gap.laps;
      const interval = behind(state, order[i - 1]!, number);
      if (interval.us !== undefined) row.intervalUs = interval.us;
      if (interval.laps !== undefined) row.intervalLaps = interval.laps;
    }
    if (car?.finished) row.finished = true;
    rows.push(row);
  }
  return { ...header, rows };
}

/** How far `number` is behind `ahead`: whole laps when the laps differ, else time between their last crossings. */
function behind(state: ScoringState, ahead: string, number: string): { us?: number; laps?: number } {
  const a = state.cars[ahead];
  const b = state.cars[number];
  const laps = (a?.laps ?? 0) - (b?.laps ?? 0);
  if (laps !== 0) return { laps };
  if (a?.lastAtUs === undefined || b?.lastAtUs === undefined) return {};
  return { us: b.lastAtUs - a.lastAtUs };
}

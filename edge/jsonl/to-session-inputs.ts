import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { SessionInput } from '../../actors/contracts/events.ts';
import { entryMatcher, type EntryMatcher } from '../../engine/declarations/entry-map.ts';
import type { JsonlRecord } from './records.ts';

/**
 * A JSON-lines file → the inputs of one session, for offline scoring (`foldSession`), as the engine would write them
 * to RACE: the declaration in force when the session opens (and each later one, at the session's clock), then its
 * session changes, flags, ticks, penalties, corrections and status changes, and every passing mapped to a car by the
 * declared entries (engine/declarations/entry-map.ts, as the engine does). Passings that map to no entry
 * are left out, as the engine counts them unassigned. Pure.
 *
 * `session`: which session (default: the first one opened in the file).
 */
export function jsonlToSessionInputs(records: JsonlRecord[], session?: string): SessionInput[] {
  const id = session ?? records.find((r) => r.type === 'session.open')?.session;
  const inputs: SessionInput[] = [];
  let declaration: EventDeclaration | undefined;
  let carOf: EntryMatcher | undefined;
  let open = false;
  let lastAtUs = 0;
  records.forEach((r, index) => {
    if (r.type === 'declaration') {
      declaration = r.declaration;
      carOf = entryMatcher(declaration);
      if (open) inputs.push({ kind: 'declaration', atUs: lastAtUs, declaration });
      return;
    }
    if (r.type === 'passing') {
      const car = open && carOf ? carOf(r) : undefined;
      if (car === undefined) return;
      lastAtUs = Math.max(lastAtUs, r.atUs);
      inputs.push({ kind: 'passing', atUs: r.atUs, car, precisionUs: r.precisionUs ?? 1000, reading: { device: 'jsonl', boot: 'file', seq: index + 1 } });
      return;
    }
    if (r.session !== id) return;
    if (r.type === 'session.open') {
      if (!declaration) return; // not declared: the engine ignores it too
      open = true;
      inputs.push({ kind: 'declaration', atUs: r.atUs, declaration });
    }
    if (!open) return;
    lastAtUs = Math.max(lastAtUs, r.atUs);
    const { atUs } = r;
    switch (r.type) {
      case 'session.open':
      case 'session.start':
      case 'session.finish':
      case 'session.official':
        inputs.push({ kind: 'session', atUs, verb: r.type.slice('session.'.length) as 'open' | 'start' | 'finish' | 'official' });
        break;
      case 'clock.tick':
        inputs.push({ kind: 'tick', atUs });
        break;
      case 'flag':
        inputs.push({ kind: 'flag', atUs, flag: r.flag, ...(r.sector === undefined ? {} : { sector: r.sector }) });
        break;
      case 'penalty':
        inputs.push({ kind: 'penalty', atUs, car: r.car, ...(r.timeUs === undefined ? {} : { timeUs: r.timeUs }), ...(r.laps === undefined ? {} : { laps: r.laps }), ...(r.reason === undefined ? {} : { reason: r.reason }) });
        break;
      case 'correction':
        inputs.push({ kind: 'correction', atUs, car: r.car, laps: r.laps });
        break;
      case 'status':
        inputs.push({ kind: 'status', atUs, car: r.car, status: r.status });
        break;
    }
  });
  return inputs;
}

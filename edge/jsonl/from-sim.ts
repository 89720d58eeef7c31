import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { SimEvent } from '../sim/timeline.ts';
import type { JsonlRecord } from './records.ts';

/** A simulated session's event as a JSON-lines record (`pitwall edge sim --out`). */
export function simEventToJsonl(event: SimEvent, declaration: EventDeclaration, session: string): JsonlRecord {
  const { atUs } = event;
  switch (event.type) {
    case 'passing':
      return { type: 'passing', atUs, transponder: event.transponder, precisionUs: 1000 };
    case 'flag':
      return { type: 'flag', session, atUs, flag: event.flag };
    case 'session.open':
      return { type: 'session.open', session, event: declaration.event, atUs };
    default:
      return { type: event.type, session, atUs };
  }
}

import type { EventDeclaration, SessionDeclaration } from '../../actors/contracts/declaration.ts';
import { sessionTimeline, type SimEvent, type TimelineOptions } from '../sim/timeline.ts';
import type { JsonlRecord } from './records.ts';
import { createJsonlWriter } from './write.ts';

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

/** Writes a simulated session to a JSON-lines file: the declaration, then every event. Resolves with the lines written. */
export async function writeSimJsonl(file: string, declaration: EventDeclaration, session: SessionDeclaration, opts: TimelineOptions): Promise<number> {
  const writer = createJsonlWriter(file);
  writer.write({ type: 'declaration', declaration });
  let lines = 1;
  for (const event of sessionTimeline(declaration, session, opts)) {
    writer.write(simEventToJsonl(event, declaration, session.id));
    lines++;
  }
  await writer.close();
  return lines;
}

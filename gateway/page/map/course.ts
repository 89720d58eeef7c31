import type { CourseMark } from '../../../actors/contracts/declaration.ts';

/** A GPS virtual line as GET /api/events/{track}/{event} gives it: two [lat, lon] points. */
export interface CourseLine {
  id: string;
  kind: string;
  points: [[number, number], [number, number]];
}

/** What the pages read of an event (GET /api/events/{track}/{event}): class names, entries, and the course. */
export interface EventInfo {
  classes: { id: string; name: string }[];
  entries: { number: string; name: string; class: string }[];
  timingLines?: CourseLine[];
  marks?: CourseMark[];
}

/** The event, or undefined when the gateway does not give it (unknown, private without a login, or down). */
export async function fetchEvent(track: string, event: string, headers: Record<string, string>): Promise<EventInfo | undefined> {
  const res = await fetch(`/api/events/${track}/${event}`, { headers });
  return res.ok ? ((await res.json()) as EventInfo) : undefined;
}

/** Whether the event declares something to draw: a GPS line or a course mark. */
export const hasCourse = (e: EventInfo | undefined) => (e?.timingLines?.length ?? 0) > 0 || (e?.marks?.length ?? 0) > 0;

/**
 * Reads a session's event for a page, once its id is known (the first view names it; later calls do nothing). When
 * the gateway does not give it (declared a moment ago, a blip) it asks again every `retryMs`, until it has it.
 */
export function createEventReader(track: string, headers: Record<string, string>, use: (event: EventInfo) => void, retryMs = 3000) {
  let started = false;
  const read = (event: string) => {
    fetchEvent(track, event, headers).then((info) => {
      if (!info) throw new Error(`no event ${track}/${event}`);
      use(info);
    }).catch(() => setTimeout(() => read(event), retryMs));
  };
  return (event: string) => {
    if (started) return;
    started = true;
    read(event);
  };
}

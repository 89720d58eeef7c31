import type { LiveSession } from '../live-sessions.ts';

/**
 * Sorts the sessions `/api/events` declares into live now, upcoming and recent, from what the engines report
 * (`state`, present while an engine holds the session). A declared session no engine holds yet is upcoming;
 * one an engine reports finished or official is recent. Declarations carry no dates, so a finished session an
 * engine no longer holds cannot be told from one that has not run: it is listed as upcoming.
 */
export interface ListedEvent {
  track: string;
  event: string;
  name: string;
  sessions: { id: string; name: string; type: string; state?: string }[];
}

export interface ListedSession {
  track: string;
  event: string;
  eventName: string;
  session: string;
  name: string;
  type: string;
  state?: string;
}

const RECENT = new Set(['finished', 'official']);

/** A session an engine reports (`/api/sessions`): the engines' health entry, as the gateway lists it. */
export type LiveSessionInfo = LiveSession;

/** `live` adds the sessions engines run without a declaration (an RMonitor feed's, say). */
export function sortSessions(events: ListedEvent[], live: LiveSessionInfo[] = []): { live: ListedSession[]; upcoming: ListedSession[]; recent: ListedSession[] } {
  const out = { live: [] as ListedSession[], upcoming: [] as ListedSession[], recent: [] as ListedSession[] };
  const place = (s: ListedSession) =>
    (s.state === undefined || s.state === 'scheduled' ? out.upcoming : RECENT.has(s.state) ? out.recent : out.live).push(s);
  const declared = new Set<string>();
  for (const e of events) {
    for (const s of e.sessions) {
      declared.add(`${e.track}/${s.id}`);
      place({ track: e.track, event: e.event, eventName: e.name, session: s.id, name: s.name, type: s.type, ...(s.state && { state: s.state }) });
    }
  }
  for (const s of live) {
    if (!declared.has(`${s.track}/${s.session}`)) place({ track: s.track, event: s.event, eventName: s.event, session: s.session, name: s.name, type: s.type, state: s.state });
  }
  return out;
}

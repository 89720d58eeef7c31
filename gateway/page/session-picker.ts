/**
 * The race-control page's session menu: the organisation's declared sessions (from `/api/events`), live ones marked
 * with their state. Race control may open a declared session that is not live (no timing source needed: GPS races,
 * manual timing), so the menu lists them all, not only the live ones.
 */
export interface SessionChoice {
  track: string;
  session: string;
  /** "Event: Session". */
  name: string;
  /** The session machine's state when an engine runs it (live), else undefined. */
  state?: string;
}

interface EventList {
  events: { track: string; event: string; name: string; org?: string; sessions: { id: string; name: string; state?: string }[] }[];
}

/** The organisation a token is for (read for the menu only; the gateway and the engine verify it). */
export function tokenOrg(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { org?: unknown };
    return typeof claims.org === 'string' ? claims.org : undefined;
  } catch {
    return undefined;
  }
}

/** The declared sessions of the events of `org` that the token may see, in declaration order. */
export async function declaredSessions(token: string, org: string | undefined): Promise<SessionChoice[]> {
  const res = await fetch('/api/events', { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return [];
  const { events } = (await res.json()) as EventList;
  return events.filter((e) => e.org !== undefined && e.org === org).flatMap((e) => e.sessions.map((s) => ({
    track: e.track, session: s.id, name: `${e.name}: ${s.name}`, ...(s.state !== undefined && { state: s.state }),
  })));
}

/** A menu line: the name, and the state of a live session or "not open". */
export const choiceLabel = (c: SessionChoice) => `${c.name} (${c.state === undefined ? 'not open' : `live: ${c.state}`})`;

export const sameSession = (a: { track: string; session: string }, b: { track: string; session: string }) => a.track === b.track && a.session === b.session;

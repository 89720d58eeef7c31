import type { EventDeclaration } from '../contracts/declaration.ts';
import type { DeclaredSession, ScoringState } from './state.ts';

/**
 * Applies an event declaration to a session: keeps what the declaration says about this session (name, type,
 * finish rule, classes, entries). A later declaration (the engine appends each change of KV `events`) replaces it:
 * new entries join, removed entries leave the board (their scores are kept should they return), laps continue.
 * A declaration for another track or event, or without this session, is refused: undefined.
 */
export function declaredSession(state: ScoringState, declaration: EventDeclaration): DeclaredSession | undefined {
  if (declaration.track !== state.ref.track || declaration.event !== state.ref.event) return undefined;
  const session = declaration.sessions.find((s) => s.id === state.ref.session);
  if (!session) return undefined;
  const numbers = new Set<string>();
  // A number declared twice is one car (the first); the board never shows a number twice.
  const entries = declaration.entries.filter((e) => !numbers.has(e.number) && numbers.add(e.number));
  return {
    name: session.name,
    type: session.type,
    finish: { ...session.finish },
    classes: declaration.classes.map((c) => ({ ...c })),
    entries: entries.map((e) => ({ ...e })),
    ...(session.bestLap ? { bestLap: { ...session.bestLap } } : {}),
    ...(session.minLapMs !== undefined ? { minLapUs: Math.round(session.minLapMs * 1000) } : {}),
  };
}

import type { SessionType } from '../../actors/contracts/declaration.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import type { MappedInput } from '../../actors/rmonitor/map.ts';
import { createSessionActor, type SessionActor } from '../../actors/session-actor.ts';

/**
 * Scores mapped inputs offline with the same session actor as live (one per session, no servers): the views of every
 * session, in order of first appearance. RMonitor sessions take the checkered from the feed's `$F`, never from
 * scoring (`autoCheckered: false`).
 */
export interface ScoredSession {
  id: string;
  view: SessionView;
}

export interface ScoreOptions {
  mode?: 'independent' | 'follow';
}

export function scoreInputs(inputs: Iterable<MappedInput>, ref: { track: string; event: string }, options: ScoreOptions = {}): ScoredSession[] {
  const actors = new Map<string, SessionActor>();
  for (const { session, input } of inputs) {
    let actor = actors.get(session);
    if (!actor) {
      actor = createSessionActor({ ...ref, session }, { publishLap: () => undefined }, undefined, {
        mode: options.mode ?? 'independent',
        autoCheckered: false,
      });
      actors.set(session, actor);
    }
    actor.send(input);
  }
  return [...actors].map(([id, actor]) => {
    const view = actor.view();
    actor.stop();
    return { id, view };
  });
}

export type { SessionType };

import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { EventDeclaration } from '../actors/contracts/declaration.ts';
import { validateDeclaration } from './declarations/validate.ts';
import { inputErrors } from './metrics.ts';
import type { IngestInput } from './ownership/session-input.ts';

/**
 * Declarations change live, and each change is an event (DESIGN §4, KV `events`): when a stored declaration changes,
 * every open session of that event gets a `declaration` input appended to RACE (`timing.<track>.<session>.declaration`)
 * — so a replay of RACE scores exactly as the live run did — and then ingest maps that session's passings by the new
 * entries (a transponder added mid-session starts counting).
 *
 * The watch runs with ingest (on the engine holding the `_ingest` lease) and, like ingest, has the session's owner
 * write the input. The declaration is written first and the entries followed second: a passing of a new transponder read in between
 * is unassigned, as it was before the change; it never reaches a session that does not know the car yet.
 */

/** What the watch needs of ingest. */
export interface DeclarationFollower {
  /** The open sessions, each with its current declaration and the time of its last event. */
  openSessions(): { track: string; event: string; session: string; declaration: EventDeclaration; lastAtUs?: number }[];
  /** Ingest maps passings of the open sessions of the declaration's event by its entries from now on. */
  updateDeclaration(declaration: EventDeclaration): void;
  /** Has the owner of the session write the input (ownership/session-input.ts). */
  write(track: string, session: string, input: IngestInput, msgId: string): Promise<unknown>;
}

export interface DeclarationWatchDeps {
  nc: NatsConnection;
  ingest: DeclarationFollower;
  registry: Registry;
  log: (line: string) => void;
}

export interface DeclarationWatch {
  /** Declarations applied to open sessions so far (one per session per change). */
  applied(): number;
  stop(): Promise<void>;
}

export async function startDeclarationWatch(deps: DeclarationWatchDeps): Promise<DeclarationWatch> {
  const errors = inputErrors(deps.registry);
  let applied = 0;
  let stopping = false;
  const kv = await new Kvm(deps.nc).open('events');
  const watch = await kv.watch({ key: '>' });

  async function onChange(declaration: EventDeclaration, revision: number): Promise<void> {
    const { track, event } = declaration;
    const changed = deps.ingest
      .openSessions()
      .filter((s) => s.track === track && s.event === event && JSON.stringify(s.declaration) !== JSON.stringify(declaration));
    for (const open of changed) {
      if (!declaration.sessions.some((s) => s.id === open.session)) {
        deps.log(`declarations: ${track}/${event} revision ${revision} no longer declares the open session ${open.session}: it keeps its rules`);
        continue;
      }
      // The session's own clock: a declaration never moves it (a replay of yesterday stays yesterday).
      const input: IngestInput = { kind: 'declaration', atUs: open.lastAtUs ?? Date.now() * 1000, declaration };
      await deps.ingest.write(track, open.session, input, `decl:${track}:${event}:${revision}:${open.session}`);
      applied++;
      deps.log(`declarations: ${track}/${event} revision ${revision} applied to the open session ${open.session}`);
    }
    if (changed.length > 0) deps.ingest.updateDeclaration(declaration);
  }

  const loop = (async () => {
    for await (const entry of watch) {
      if (entry.operation !== 'PUT') continue; // a deleted declaration leaves open sessions with the rules they have
      let declaration: EventDeclaration;
      try {
        declaration = validateDeclaration(entry.json(), `KV events/${entry.key}`);
      } catch (err) {
        errors.inc({ kind: 'bad_declaration' });
        deps.log(`declarations: ${(err as Error).message.split('\n')[0]}: ignored`);
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        try {
          await onChange(declaration, entry.revision);
          break;
        } catch (err) {
          // No owner answering, or RACE unreachable: retry, so no open session misses the change (message ids make a
          // retry harmless).
          if (attempt === 0) deps.log(`declarations: ${entry.key} revision ${entry.revision}: ${(err as Error).message}; retrying`);
          if (stopping) return;
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
        }
      }
    }
  })();

  return {
    applied: () => applied,
    async stop() {
      stopping = true;
      watch.stop();
      await loop;
    },
  };
}

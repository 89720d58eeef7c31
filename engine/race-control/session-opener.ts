import type { KV } from '@nats-io/kv';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { OpenSessionReply } from '../../actors/contracts/race-control.ts';
import { parseOpenSessionSubject, subjects } from '../../actors/contracts/subjects.ts';
import { findSessionDeclaration } from '../declarations/store.ts';
import { loadSessionSnapshot } from '../session-snapshot.ts';
import type { Ingest } from '../ingest.ts';
import type { Log } from '../log.ts';
import { inputErrors, raceControlCommands } from '../metrics.ts';
import { callerRefusal } from './command-authorize.ts';
import { parseCommandRequest } from './command-responder.ts';

/**
 * Race control opens a declared session that no source opened (GPS races, manual timing): the gateway sends the
 * `open` command, which no host answers, on `cmd._open.<track>.<session>` (OpenSessionReply in
 * actors/contracts/race-control.ts). Only the engine running ingest (the `_ingest` lease holder) subscribes, in a
 * queue group, so one engine answers and a former holder that has not yet noticed its loss gets at most a share
 * whose list save then fails (compare-and-set): it creates nothing.
 *
 * In order, and nothing is created unless all pass: the request's shape; the session is declared at the track (KV
 * `events`); the caller may `open` it exactly as its host would judge (command-authorize.ts, the declaration's
 * organisation, machine state `scheduled`); it has not run already (its last snapshot is not finished or official:
 * a session reopened after its host went away would take the track's passings from the current one). Then ingest opens it as a source's `session.open` would
 * (Ingest.openDeclared): saved in the open-session list, claimed by an engine, its declaration written by its new
 * host. The reply is `created` (or `live` if it was open already); the gateway then sends the `open` command to the
 * host, which decides it, audits it and puts its control stamp in the control log. A refusal here is counted
 * (`pitwall_race_control_commands_total{verb="open",outcome="refused"}`) and logged, but not audited: the audit lives
 * in the session's RACE events, and a refused caller writes nothing there.
 */
export interface SessionOpenerDeps {
  nc: NatsConnection;
  log: Log;
  registry: Registry;
  ingest: Pick<Ingest, 'openDeclared'>;
  /** KV `events`. */
  events: KV;
  /** KV `session-state`: a session that already ran has its snapshot there. */
  state: KV;
}

/** A session that reached these states ran already: opening it again would only take the track's passings from another. */
const OVER: ReadonlySet<string> = new Set(['finished', 'official']);

export const SESSION_OPENER_QUEUE = 'session-opener';

export function startSessionOpener(deps: SessionOpenerDeps): { stop(): Promise<void> } {
  const decided = raceControlCommands(deps.registry);
  const errors = inputErrors(deps.registry);
  let queue: Promise<void> = Promise.resolve();

  const decide = async (msg: Msg): Promise<OpenSessionReply> => {
    const refused = (code: Extract<OpenSessionReply, { outcome: 'refused' }>['code'], reason: string): OpenSessionReply => ({ outcome: 'refused', code, reason });
    const ref = parseOpenSessionSubject(msg.subject);
    const req = parseCommandRequest(msg.data);
    if (!ref || typeof req === 'string') {
      errors.inc({ kind: 'bad_command' });
      return refused('bad_request', typeof req === 'string' ? req : `not an open request: ${msg.subject}`);
    }
    const { track, session } = ref;
    const declaration = await findSessionDeclaration(deps.events, track, session);
    if (!declaration) return refused('unknown_session', `no declared event at ${track} has a session ${session}: declare it first (pitwall event apply, or POST /api/events)`);
    const who = callerRefusal(req.caller, 'open', declaration.org, 'scheduled');
    if (who) return refused('unauthorized', who);
    const ran = (await loadSessionSnapshot(deps.state, { track, event: declaration.event, session }))?.snapshot.view.state;
    if (ran !== undefined && OVER.has(ran)) return refused('not_allowed', `the session is ${ran}: "open" is not a move from there`);
    const outcome = await deps.ingest.openDeclared(declaration, session, `rc-open:${req.id}`);
    deps.log(`race control: ${track}/${session} of event ${declaration.event} ${outcome === 'created' ? 'opened' : 'is open already'} (open by ${req.caller.sub}, ${req.caller.org})`,
      { track, session, event: declaration.event, command: req.id });
    return { outcome, event: declaration.event };
  };

  const handle = async (msg: Msg) => {
    let reply: OpenSessionReply;
    try {
      reply = await decide(msg);
    } catch (error) {
      deps.log(`race control: open on ${msg.subject} failed: ${(error as Error).message}`, { level: 'error', subject: msg.subject });
      reply = { outcome: 'refused', code: 'not_allowed', reason: `the engine could not open the session: ${(error as Error).message}; try again` };
    }
    if (reply.outcome === 'refused') {
      decided.inc({ verb: 'open', outcome: 'refused' });
      deps.log(`race control: open on ${msg.subject} refused: ${reply.reason}`, { level: 'warn', subject: msg.subject });
    }
    msg.respond(JSON.stringify(reply));
  };

  const sub = deps.nc.subscribe(subjects.openSessions(), {
    queue: SESSION_OPENER_QUEUE,
    callback: (err, msg) => {
      if (err) return;
      // One at a time: two opens of one session create it once (the second finds it live).
      queue = queue.then(() => handle(msg)).catch((error: Error) => deps.log(`race control: open not handled: ${error.message}`, { level: 'error' }));
    },
  });

  return {
    async stop() {
      sub.unsubscribe();
      await queue;
    },
  };
}

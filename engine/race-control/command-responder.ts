import type { KV } from '@nats-io/kv';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { SessionState } from '../../actors/contracts/flags.ts';
import {
  isCommandVerb, type AuditRecord, type CommandOutcome, type CommandReply, type CommandRequest, type RefusalCode,
} from '../../actors/contracts/race-control.ts';
import { parseCommandSubject, subjects, type TimingKind } from '../../actors/contracts/subjects.ts';
import type { SessionActor, SessionRef } from '../../actors/session-actor.ts';
import { getDeclaration } from '../declarations/store.ts';
import type { Log } from '../log.ts';
import { inputErrors, raceControlCommands } from '../metrics.ts';
import type { Registry } from 'prom-client';
import { callerRefusal } from './command-authorize.ts';
import { translateCommand } from './command-input.ts';

/**
 * The owning session host's answer to `cmd.<track>.<session>.<verb>` (DESIGN §4). Only the session's owner answers
 * (engine/ownership/), and a new owner only once it has replayed what the earlier one wrote. One command at a time,
 * in arrival order, each decided against the state that includes every earlier command:
 * 1. the request's shape; 2. the caller (organisation of the event's declaration, roles: command-authorize.ts);
 * 3. the arguments against the declaration and scores (command-input.ts); 4. the session and flag machines
 * (`actor.refusal`). Accepted: the event, stamped with who/when/why, is written to RACE by the owner (with its lease
 * epoch; message id `cmd:<id>`, so a retried command is written once) and the reply waits until the actor has folded
 * it — so the next command, and the caller's next view, see it. Every decided command, accepted or refused, is then
 * written to RACE as an audit record (`timing.<track>.<session>.audit`), and replied to. The events' `atUs` is the
 * session's clock (time comes only from the session's source, DESIGN §2.1); the wall time is in `control.atMs`. A
 * session that race control opened has no source: its clock is the wall clock (never earlier than its last event).
 */
export interface CommandResponderDeps {
  nc: NatsConnection;
  log: Log;
  /**
   * Writes one event of the session to RACE as its owner writes (with its lease epoch, engine/ownership/fence.ts), the
   * message id made unique per owner; resolves with the stream sequence and whether JetStream had it already.
   */
  write(kind: TimingKind, payload: object, msgId: string): Promise<{ seq: number; duplicate: boolean }>;
  /** This host owns the session now (another engine's host answers otherwise). */
  owner(): boolean;
  /** The host has replayed RACE past its ownership marker: it knows what earlier owners wrote. */
  ready(): boolean;
  registry: Registry;
  actor: Pick<SessionActor, 'refusal' | 'scoring'>;
  /** The session machine's state now. */
  sessionState(): SessionState;
  /** RACE sequence of the last event the actor folded. */
  appliedStreamSeq(): number;
  /** KV `events`: the declaration says which organisation runs the event. */
  declarations(): Promise<KV>;
  /** The session has no source with a clock (race control opened it): commands are stamped with the wall clock. */
  wallClock?: boolean;
  now?: () => number;
}

export interface CommandResponder {
  stop(): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_WHY = 500;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request, or why it is not one (also read by session-opener.ts). */
export function parseCommandRequest(data: Uint8Array): CommandRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return 'the command is not JSON';
  }
  if (!isRecord(value)) return 'the command is not a JSON object';
  const { id, caller, via, args, why } = value;
  if (typeof id !== 'string' || !ID.test(id)) return 'id: 1 to 64 characters [A-Za-z0-9_-]';
  if (!isRecord(caller) || typeof caller.sub !== 'string' || typeof caller.org !== 'string' || !Array.isArray(caller.roles)
    || !caller.roles.every((r) => typeof r === 'string')) return 'caller: {sub, org, roles} of a verified token';
  if (via !== 'rest' && via !== 'ws') return 'via: rest or ws';
  if (!isRecord(args)) return 'args: an object';
  if (why !== undefined && (typeof why !== 'string' || why.length > MAX_WHY)) return `why: at most ${MAX_WHY} characters`;
  return value as unknown as CommandRequest;
}

export function startCommandResponder(deps: CommandResponderDeps, ref: SessionRef, opts: { applyTimeoutMs?: number } = {}): CommandResponder {
  const now = deps.now ?? Date.now;
  const decided = raceControlCommands(deps.registry);
  const errors = inputErrors(deps.registry);
  const key = `${ref.track}.${ref.session}`;
  let queue: Promise<void> = Promise.resolve();

  const reply = (msg: Msg, body: CommandReply) => msg.respond(JSON.stringify(body));

  /** Whether the actor folded RACE `seq` within the timeout (it polls: commands are rare, the fold is quick). */
  const waitApplied = async (seq: number): Promise<boolean> => {
    const deadline = now() + (opts.applyTimeoutMs ?? 5000);
    while (deps.appliedStreamSeq() < seq) {
      if (now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  };

  const decide = async (verb: string, req: CommandRequest, atUs: number, atMs: number): Promise<CommandOutcome> => {
    const refused = (code: RefusalCode, reason: string): CommandOutcome => ({ outcome: 'refused', code, reason });
    if (!isCommandVerb(verb)) return refused('bad_request', `unknown verb ${verb}`);
    const declaration = await getDeclaration(await deps.declarations(), ref.track, ref.event);
    const who = callerRefusal(req.caller, verb, declaration?.org, deps.sessionState());
    if (who) return refused('unauthorized', who);
    const control = { id: req.id, by: req.caller.sub, org: req.caller.org, atMs, ...(req.why !== undefined && { why: req.why }) };
    const translated = translateCommand(verb, req.args, { atUs, control }, deps.actor.scoring());
    if (!translated.ok) return refused(translated.code, translated.reason);
    const machine = deps.actor.refusal(translated.input);
    if (machine) return refused('not_allowed', machine);
    const ack = await deps.write(translated.kind, translated.input, `cmd:${req.id}`);
    if (!(await waitApplied(ack.seq))) {
      // Written, so accepted: the actor folds it when it catches up (the next command may be judged without it).
      deps.log(`session ${key}: command ${req.id} is RACE seq ${ack.seq}, not folded within ${opts.applyTimeoutMs ?? 5000} ms`, { ...ref, level: 'warn' });
    }
    return { outcome: 'accepted', streamSeq: ack.seq, ...(ack.duplicate && { duplicate: true as const }) };
  };

  /** A new owner answers once it has replayed what the earlier one wrote. */
  const waitReady = async () => {
    const deadline = now() + (opts.applyTimeoutMs ?? 5000);
    while (!deps.ready() && now() <= deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    return deps.ready();
  };

  const handle = async (msg: Msg) => {
    if (!deps.owner()) return; // not ours (any more): the owner's host answers
    if (!(await waitReady())) {
      return reply(msg, { id: '', outcome: 'refused', code: 'not_allowed', reason: 'the engine is taking over this session and still replaying it: try again' });
    }
    const verb = parseCommandSubject(msg.subject)?.verb ?? '';
    const req = parseCommandRequest(msg.data);
    if (typeof req === 'string') {
      errors.inc({ kind: 'bad_command' });
      decided.inc({ verb, outcome: 'refused' });
      return reply(msg, { id: '', outcome: 'refused', code: 'bad_request', reason: req });
    }
    const atMs = now();
    // A session without a source (race control opened it) runs on the wall clock; else on its source's clock.
    const nowUs = deps.actor.scoring().nowUs;
    const atUs = deps.wallClock ? Math.max(nowUs ?? 0, atMs * 1000) : nowUs ?? atMs * 1000;
    let outcome: CommandOutcome;
    try {
      outcome = await decide(verb, req, atUs, atMs);
    } catch (error) {
      deps.log(`session ${key}: command ${req.id} (${verb}) failed: ${(error as Error).message}`, { ...ref, level: 'error' });
      return reply(msg, { id: req.id, outcome: 'refused', code: 'not_allowed', reason: `the engine could not decide it: ${(error as Error).message}` });
    }
    decided.inc({ verb, outcome: outcome.outcome });
    const audit: AuditRecord = { kind: 'audit', atUs, atMs, id: req.id, verb, caller: req.caller, via: req.via, args: req.args,
      ...(req.why !== undefined && { why: req.why }), outcome };
    await deps.write('audit', audit, `audit:${req.id}`)
      .catch((error: Error) => deps.log(`session ${key}: audit of command ${req.id} not written: ${error.message}`, { ...ref, level: 'error' }));
    deps.log(`session ${key}: ${verb} by ${req.caller.sub} (${req.caller.org}) ${outcome.outcome}${outcome.outcome === 'refused' ? `: ${outcome.reason}` : ''}`, { ...ref, command: req.id });
    reply(msg, { id: req.id, ...outcome });
  };

  const sub = deps.nc.subscribe(subjects.commands(ref.track, ref.session), {
    callback: (err, msg) => {
      if (err) return;
      queue = queue.then(async () => { await handle(msg); }).catch((error: Error) => deps.log(`session ${key}: command not handled: ${error.message}`, { ...ref, level: 'error' }));
    },
  });

  return {
    async stop() {
      sub.unsubscribe();
      await queue;
    },
  };
}

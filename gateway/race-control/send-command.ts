import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { VERB_PATTERN, type CommandReply, type CommandRequest, type OpenSessionReply } from '../../actors/contracts/race-control.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import type { SessionRef } from '../protocol.ts';

/**
 * The gateway's half of a race-control command: a verified caller's command, sent as a request on
 * `cmd.<track>.<session>.<verb>` to the session's owning host, which decides it (engine/race-control/). The gateway
 * gives each command a fresh id; it does not judge roles itself, so that every command reaches the audit.
 *
 * `open` of a session no host answers (a declared session that no source opened: GPS, manual timing) first asks the
 * engine running ingest to create it (`cmd._open.<track>.<session>`, engine/race-control/session-opener.ts), which
 * checks the declaration and the caller and creates nothing for a refused one; then the same request goes to the new
 * host, which decides and audits it. Every other verb of a non-live session is `unknown_session`.
 */
export type SendResult =
  | { ok: true; reply: CommandReply }
  /** No engine owns the session (`unknown_session`), or none answered in time (`timeout`). */
  | { ok: false; code: 'unknown_session' | 'timeout'; message: string };

export interface CommandInput {
  verb: string;
  args: Record<string, unknown>;
  why?: string;
}

export type CommandSender = (ref: SessionRef, command: CommandInput, claims: VerifiedClaims, via: 'rest' | 'ws') => Promise<SendResult>;

export function createCommandSender(nc: NatsConnection, opts: { timeoutMs: number }): CommandSender {
  return async (ref, command, claims, via) => {
    const request: CommandRequest = {
      id: randomUUID(),
      caller: { sub: claims.sub, org: claims.org, roles: claims.roles },
      via,
      args: command.args,
      ...(command.why !== undefined && { why: command.why }),
    };
    const notLive = `${ref.track}/${ref.session} is not a live session: no engine owns it`;
    const toHost = () => ask<CommandReply>(subjects.command(ref.track, ref.session, command.verb), request, notLive);
    const sent = await toHost();
    if (sent.ok || sent.code !== 'unknown_session' || command.verb !== 'open') return sent;
    const opened = await ask<OpenSessionReply>(subjects.openSession(ref.track, ref.session), request, `${notLive}, and no engine runs ingest to open it`);
    if (!opened.ok) return opened;
    const { reply } = opened;
    if (reply.outcome !== 'refused') return toHost();
    if (reply.code === 'unknown_session') return { ok: false, code: 'unknown_session', message: reply.reason };
    return { ok: true, reply: { id: request.id, outcome: 'refused', code: reply.code, reason: reply.reason } };
  };

  /** One request; `noResponders` is the message when nobody subscribes. */
  async function ask<T>(subject: string, request: CommandRequest, noResponders: string): Promise<{ ok: true; reply: T } | Extract<SendResult, { ok: false }>> {
    try {
      const msg = await nc.request(subject, JSON.stringify(request), { timeout: opts.timeoutMs });
      return { ok: true, reply: msg.json<T>() };
    } catch (error) {
      const message = (error as Error).message;
      if (/no responders|503/i.test(message) || (error as { code?: string }).code === '503') {
        return { ok: false, code: 'unknown_session', message: noResponders };
      }
      return { ok: false, code: 'timeout', message: `the engine did not answer within ${opts.timeoutMs} ms (${message})` };
    }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A command body `{…args, why?}` (REST) → the command, or why not. */
export function commandFromBody(verb: string, value: unknown): CommandInput | string {
  if (!VERB_PATTERN.test(verb)) return `verb must be [a-z-]+, got ${JSON.stringify(verb)}`;
  if (value === undefined) return { verb, args: {} };
  if (!isRecord(value)) return 'the body must be a JSON object: the command\'s arguments, and "why"';
  const { why, ...args } = value;
  if (why !== undefined && typeof why !== 'string') return 'why must be a string';
  return { verb, args, ...(typeof why === 'string' && why !== '' && { why }) };
}

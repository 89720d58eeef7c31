import type { NatsConnection } from '@nats-io/transport-node';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import type { RefusalCode } from '../../actors/contracts/race-control.ts';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import { authorize } from '../auth/authorize.ts';
import { AccessDeniedError, TokenRejectedError } from '../auth/errors.ts';
import type { TokenVerifier } from '../auth/verifier.ts';
import type { LiveSession } from '../live-sessions.ts';
import { bearerToken, forbidden, unauthorized } from '../rest/access.ts';
import { apiError, type ApiRequest, type ApiResult } from '../rest/http.ts';
import { readAudit } from './audit-read.ts';
import { commandFromBody, type CommandSender } from './send-command.ts';

/**
 * Race control over REST:
 * - `POST /api/sessions/{track}/{session}/commands/{verb}` with `Authorization: Bearer` and a JSON body of the verb's
 *   arguments plus `why`: 200 accepted; refused by the engine with its reason — 400 bad_request, 403 unauthorized,
 *   409 not_allowed, 422 unknown_car/unknown_class; 401 without an accepted token; 404 no live session (for `open`:
 *   nor a declared one, which `open` creates: send-command.ts); 504 no answer.
 * - `GET /api/sessions/{track}/{session}/audit[?limit=N]`: every command the engine decided, for race control, timing
 *   or admin of the event's organisation.
 */
export interface RaceControlRestDeps {
  nc: NatsConnection;
  verifier?: TokenVerifier;
  send: CommandSender;
  live(): LiveSession[];
  declarations(): Promise<EventDeclaration[]>;
  timeoutMs: number;
}

const SLUG = /^[a-z0-9-]+$/;
const REFUSAL_STATUS: Record<RefusalCode, number> = { bad_request: 400, unauthorized: 403, not_allowed: 409, unknown_car: 422, unknown_class: 422 };
const NO_IDP = 'race control needs a login: this gateway has no identity provider configured';

export function createRaceControlHandlers(deps: RaceControlRestDeps) {
  /** The caller's verified claims, or the 401/403 answer. */
  const login = async (req: ApiRequest): Promise<{ ok: true; claims: VerifiedClaims } | { ok: false; result: ApiResult }> => {
    if (!deps.verifier) return { ok: false, result: forbidden(NO_IDP) };
    const token = bearerToken(req.authorization);
    if (token === undefined) return { ok: false, result: unauthorized('missing', 'race control needs Authorization: Bearer <access token>') };
    if (token === '') return { ok: false, result: unauthorized('malformed', 'the Authorization header is not "Bearer <token>"') };
    try {
      return { ok: true, claims: await deps.verifier.verify(token) };
    } catch (error) {
      if (error instanceof TokenRejectedError) return { ok: false, result: unauthorized(error.reason, error.message) };
      throw error;
    }
  };
  const badIds = (ids: (string | undefined)[]) => ids.some((id) => id === undefined || !SLUG.test(id));

  return {
    command: async (req: ApiRequest): Promise<ApiResult> => {
      const [track, session, verb] = req.params as [string, string, string];
      if (badIds([track, session])) return apiError(400, 'bad_request', 'track and session must be slugs [a-z0-9-]+');
      const who = await login(req);
      if (!who.ok) return who.result;
      let body: unknown;
      try {
        body = req.body.trim() === '' ? undefined : JSON.parse(req.body);
      } catch (error) {
        return apiError(400, 'bad_request', `the body is not JSON: ${(error as Error).message}`);
      }
      const command = commandFromBody(verb, body);
      if (typeof command === 'string') return apiError(400, 'bad_request', command);
      const sent = await deps.send({ track, session }, command, who.claims, 'rest');
      if (!sent.ok) return apiError(sent.code === 'unknown_session' ? 404 : 504, sent.code, sent.message);
      const { reply } = sent;
      return { status: reply.outcome === 'accepted' ? 200 : REFUSAL_STATUS[reply.code] ?? 400, body: reply };
    },

    audit: async (req: ApiRequest): Promise<ApiResult> => {
      const [track, session] = req.params as [string, string];
      if (badIds([track, session])) return apiError(400, 'bad_request', 'track and session must be slugs [a-z0-9-]+');
      const limit = Number(req.query.get('limit') ?? 1000);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) return apiError(400, 'bad_request', 'limit: 1 to 10000');
      const who = await login(req);
      if (!who.ok) return who.result;
      const orgs = await organisations(track, session);
      if (orgs.length === 0) return apiError(404, 'unknown_session', `no declared event at ${track} has a session ${session} with an organisation`);
      const refusal = staffRefusal(who.claims, orgs);
      if (refusal) return forbidden(`the audit of ${track}/${session}: ${refusal}`);
      const records = await readAudit(deps.nc, { track, session }, { limit, timeoutMs: deps.timeoutMs });
      return { status: 200, body: { track, session, commands: records } };
    },
  };

  /** The organisations of the events the session belongs to (the live one's, else every declaration's with that session). */
  async function organisations(track: string, session: string): Promise<string[]> {
    const live = deps.live().find((s) => s.track === track && s.session === session);
    const declared = (await deps.declarations()).filter((d) =>
      d.track === track && (live ? d.event === live.event : d.sessions.some((s) => s.id === session)));
    return [...new Set(declared.flatMap((d) => (typeof d.org === 'string' ? [d.org] : [])))];
  }
}

/** Race control, timing or admin of every organisation: undefined when the claims allow it, else why not. */
function staffRefusal(claims: VerifiedClaims, orgs: string[]): string | undefined {
  for (const org of orgs) {
    const allowed = (['race-control', 'timing'] as const).some((role) => {
      try {
        authorize(claims, { org, role });
        return true;
      } catch (error) {
        if (error instanceof AccessDeniedError) return false;
        throw error;
      }
    });
    if (!allowed) return `needs the role race-control, timing or admin of organisation ${org} (the token is for ${claims.org}: ${claims.roles.join(', ')})`;
  }
  return undefined;
}

import type { VerifiedClaims } from '../../oidc/claims.ts';
import { TokenRejectedError } from '../auth/errors.ts';
import type { PrivateEvent } from '../auth/private-events.ts';
import type { TokenVerifier } from '../auth/verifier.ts';
import { viewRefusal } from '../auth/view-access.ts';
import { apiError, type ApiRequest, type ApiResult } from './http.ts';

/** A bearer token from `Authorization: Bearer <token>`; undefined without one. */
export function bearerToken(authorization: string): string | undefined {
  const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization.trim());
  return m ? m[1] : authorization.trim() ? '' : undefined;
}

/** 401 with RFC 6750's `WWW-Authenticate` and the verifier's reason in the JSON error. */
export function unauthorized(reason: string, message: string): ApiResult {
  const description = `${reason}: ${message}`.replace(/["\\]/g, "'");
  const result = apiError(401, 'invalid_token', `${reason}: ${message}`, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
  (result.body as { error: Record<string, unknown> }).error.reason = reason;
  return result;
}

export const forbidden = (message: string): ApiResult => apiError(403, 'forbidden', message);

/** Who is asking: no token (anonymous), a verified token, or a refusal (401) for a token that was sent but is not accepted. */
export type Caller = { ok: true; claims?: VerifiedClaims } | { ok: false; refusal: ApiResult };

/**
 * REST's side of issue 10: the same rule as /ws (view-access.ts) for private events' data, with HTTP statuses:
 * 401 for a missing or refused token, 403 for a valid token of another organisation or event, or no verifier.
 */
export function createRestAccess(verifier: TokenVerifier | undefined) {
  const caller = async (req: ApiRequest): Promise<Caller> => {
    const token = bearerToken(req.authorization);
    if (token === undefined || !verifier) return { ok: true };
    if (token === '') return { ok: false, refusal: unauthorized('malformed', 'the Authorization header is not "Bearer <token>"') };
    try {
      return { ok: true, claims: await verifier.verify(token) };
    } catch (error) {
      if (error instanceof TokenRejectedError) return { ok: false, refusal: unauthorized(error.reason, error.message) };
      throw error;
    }
  };

  /** May this caller see data governed by these private events? undefined when yes, else the 401/403 answer. */
  const check = async (req: ApiRequest, events: PrivateEvent[], what: string): Promise<ApiResult | undefined> => {
    if (events.length === 0) return undefined;
    if (!verifier) return forbidden(viewRefusal({ verifier: false }, events, what)!);
    const who = await caller(req);
    if (!who.ok) return who.refusal;
    if (!who.claims) {
      const owners = [...new Set(events.map((e) => e.org ?? '(none)'))].join(', ');
      return unauthorized('missing', `${events.map((e) => `${e.track}/${e.event}`).join(', ')} is private (organisation ${owners}): ` +
        'send Authorization: Bearer <access token>');
    }
    const refusal = viewRefusal({ verifier: true, claims: who.claims }, events, what);
    return refusal === undefined ? undefined : forbidden(refusal);
  };

  /** Whether a caller (already verified, or anonymous) may see a private event: for filtering lists. */
  const sees = (claims: VerifiedClaims | undefined, ev: PrivateEvent) =>
    verifier !== undefined && claims !== undefined && viewRefusal({ verifier: true, claims }, [ev], '') === undefined;

  return { caller, check, sees };
}
export type RestAccess = ReturnType<typeof createRestAccess>;

import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { diffDeclarations } from '../engine/declarations/diff.ts';
import { getDeclaration, putDeclaration } from '../engine/declarations/store.ts';
import { DeclarationError, validateDeclaration } from '../engine/declarations/validate.ts';
import type { VerifiedClaims } from '../oidc/claims.ts';
import { authorize as authorizeClaims } from './auth/authorize.ts';
import { AccessDeniedError, TokenRejectedError } from './auth/errors.ts';
import type { TokenVerifier } from './auth/verifier.ts';
import { bearerToken } from './rest/access.ts';

/**
 * `POST /api/events`: an event declaration as a JSON body (docs/event-format.md). Validated like `pitwall event
 * apply`, then stored in KV `events`, where the engine picks it up (open sessions of the event follow it live).
 *
 *   201 {track, event, revision, changes}  stored; `changes` says what changed against the stored version
 *   400 {error, problems}                  not JSON, or not a valid declaration: every problem with its path
 *   401 {error, reason}                    (with a verifier) a declaration with `org` and no accepted token
 *   403 {error}                            refused: not loopback, or the token's organisation/role does not allow it
 *   413 {error}                            the body is over `maxBytes`
 */

/** What `authorize` may look at: read in the request handler (uWS requests are valid only there). */
export interface EventsRequest {
  remoteAddress: string;
  authorization: string;
}

/**
 * Without a verifier, the whole rule: only requests from this machine (loopback) may declare events. With one
 * (issue 10), it still governs declarations without `org`; a declaration with `org` needs a token of that
 * organisation with role `timing` or `admin` (see `registerEventsApi`).
 */
export function authorize(req: EventsRequest): boolean {
  return isLoopback(req.remoteAddress);
}

export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  return /^127\./.test(a) || /^::ffff:127\./.test(a) || a === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(a);
}

export interface EventsApiDeps {
  nc: NatsConnection;
  log: (line: string) => void;
  /** The authorization hook (default: `authorize`, loopback only). */
  authorize?: (req: EventsRequest) => boolean;
  /** Counts refused requests by kind (`bad_request`, `too_large`, `forbidden`, `unauthorized`). */
  refused?: (kind: string) => void;
  /**
   * Checks bearer tokens. With it, a declaration naming an `org` needs `Authorization: Bearer` with role `timing` or
   * `admin` in that organisation (and in the organisation of the declaration it replaces, if another); one without
   * `org` (and replacing none with one) stays loopback-only.
   */
  verifier?: TokenVerifier;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

export function registerEventsApi(app: TemplatedApp, deps: EventsApiDeps, opts: { maxBytes?: number } = {}): void {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const allowed = deps.authorize ?? authorize;
  let kv: Promise<KV> | undefined;
  const events = () => (kv ??= new Kvm(deps.nc).open('events').catch((err: Error) => {
    kv = undefined; // try again on the next request
    throw err;
  }));

  app.post('/api/events', (res: HttpResponse, req: HttpRequest) => {
    const request: EventsRequest = {
      remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
      authorization: req.getHeader('authorization'),
    };
    const declaredLength = Number(req.getHeader('content-length') || 0);
    let done = false;
    res.onAborted(() => (done = true));
    const reply = (status: string, body: object) => {
      if (done) return;
      done = true;
      res.cork(() => {
        res.writeStatus(status).writeHeader('content-type', 'application/json');
        if (status.startsWith('401')) {
          const description = String((body as { error?: unknown }).error).replace(/["\\]/g, "'");
          res.writeHeader('www-authenticate', `Bearer error="invalid_token", error_description="${description}"`);
        }
        res.end(JSON.stringify(body));
      });
    };
    const token = bearerToken(request.authorization);
    // With a verifier, a token may come from anywhere; without one (or without a token) only loopback gets as far as the body.
    const viaToken = deps.verifier !== undefined && token !== undefined;
    if (deps.verifier && !viaToken && !allowed(request)) {
      const { status, body } = unauthorized('missing', 'declaring events needs Authorization: Bearer <token> of the organisation (role timing or admin)');
      return reply(status, body);
    }
    if (!viaToken && !allowed(request)) {
      deps.refused?.('forbidden');
      return reply('403 Forbidden', { error: 'not allowed to declare events (only from this machine: this gateway has no identity provider configured)' });
    }
    const tooLarge = () => {
      deps.refused?.('too_large');
      reply('413 Payload Too Large', { error: `the declaration is over ${maxBytes} bytes` });
    };
    if (declaredLength > maxBytes) return tooLarge();

    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > maxBytes) return tooLarge();
      chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this callback
      if (!isLast) return;
      store(Buffer.concat(chunks).toString('utf8'), viaToken ? token : undefined, allowed(request)).then(
        ({ status, body }) => reply(status, body),
        (err: Error) => {
          deps.log(`gateway: POST /api/events: ${err.message}`);
          reply('503 Service Unavailable', { error: 'the declaration could not be stored; try again' });
        },
      );
    });
  });

  /** 401 with the reason (`reply` adds RFC 6750's WWW-Authenticate). */
  const unauthorized = (reason: string, message: string) => {
    deps.refused?.('unauthorized');
    return { status: '401 Unauthorized', body: { error: `${reason}: ${message}`, reason } };
  };
  const refuse = (error: string) => {
    deps.refused?.('forbidden');
    return { status: '403 Forbidden', body: { error } };
  };

  /** Who may store `declaration` over `before`: undefined when allowed, else the reply. */
  async function permission(declaration: { org?: string }, before: { org?: string } | undefined, token: string | undefined, loopback: boolean) {
    const orgs = [...new Set([declaration.org, before?.org].filter((o): o is string => typeof o === 'string'))];
    const unowned = declaration.org === undefined || (before !== undefined && before.org === undefined);
    if (!deps.verifier) return loopback ? undefined : refuse('not allowed to declare events (only from this machine: this gateway has no identity provider configured)');
    if (orgs.length === 0) {
      return loopback ? undefined : refuse('a declaration without org may only be made from this machine (docs/event-format.md)');
    }
    if (unowned && !loopback) {
      return refuse('this declaration would replace or create an event without org, which only this machine may declare');
    }
    if (token === undefined) return unauthorized('missing', `declaring an event of organisation ${orgs.join(', ')} needs Authorization: Bearer <token>`);
    let claims: VerifiedClaims;
    try {
      claims = await deps.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) return unauthorized(error.reason, error.message);
      throw error;
    }
    try {
      for (const org of orgs) authorizeClaims(claims, { org, role: 'timing' }); // admin implies timing
    } catch (error) {
      if (error instanceof AccessDeniedError) return refuse(`not allowed to declare this event: ${error.message} (role timing or admin)`);
      throw error;
    }
    return undefined;
  }

  async function store(text: string, token: string | undefined, loopback: boolean): Promise<{ status: string; body: object }> {
    let declaration;
    try {
      declaration = validateDeclaration(JSON.parse(text), 'POST /api/events');
    } catch (err) {
      deps.refused?.('bad_request');
      const problems = err instanceof DeclarationError ? err.problems : [`not valid JSON: ${(err as Error).message}`];
      return { status: '400 Bad Request', body: { error: 'invalid event declaration', problems } };
    }
    const kv = await events();
    // With a verifier the stored version decides who may replace it: unreadable means refused (503), not unowned.
    const before = await getDeclaration(kv, declaration.track, declaration.event).catch((error: unknown) => {
      if (deps.verifier) throw error;
      return undefined;
    });
    const refused = await permission(declaration, before, token, loopback);
    if (refused) return refused;
    const revision = await putDeclaration(kv, declaration);
    deps.log(`gateway: ${declaration.track}/${declaration.event} declared (revision ${revision})`);
    return {
      status: '201 Created',
      body: { track: declaration.track, event: declaration.event, revision, changes: diffDeclarations(before, declaration) },
    };
  }
}

import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { diffDeclarations } from '../engine/declarations/diff.ts';
import { getDeclaration, putDeclaration } from '../engine/declarations/store.ts';
import { DeclarationError, validateDeclaration } from '../engine/declarations/validate.ts';

/**
 * `POST /api/events`: an event declaration as a JSON body (docs/event-format.md). Validated like `pitwall event
 * apply`, then stored in KV `events`, where the engine picks it up (open sessions of the event follow it live).
 *
 *   201 {track, event, revision, changes}  stored; `changes` says what changed against the stored version
 *   400 {error, problems}                  not JSON, or not a valid declaration: every problem with its path
 *   403 {error}                            `authorize` refused the request
 *   413 {error}                            the body is over `maxBytes`
 */

/** What `authorize` may look at: read in the request handler (uWS requests are valid only there). */
export interface EventsRequest {
  remoteAddress: string;
  authorization: string;
}

/**
 * AUTHORIZATION HOOK (one place). Until the identity issue lands, only requests from this machine (loopback) may
 * declare events; the identity issue replaces this with an organiser's token check (`authorization` header).
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
  /** Counts refused requests by kind (`bad_request`, `too_large`, `forbidden`). */
  refused?: (kind: string) => void;
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
      res.cork(() => res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body)));
    };
    if (!allowed(request)) {
      deps.refused?.('forbidden');
      return reply('403 Forbidden', { error: 'not allowed to declare events (only from this machine until sign-in exists)' });
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
      store(Buffer.concat(chunks).toString('utf8')).then(
        ({ status, body }) => reply(status, body),
        (err: Error) => {
          deps.log(`gateway: POST /api/events: ${err.message}`);
          reply('503 Service Unavailable', { error: 'the declaration could not be stored; try again' });
        },
      );
    });
  });

  async function store(text: string): Promise<{ status: string; body: object }> {
    let declaration;
    try {
      declaration = validateDeclaration(JSON.parse(text), 'POST /api/events');
    } catch (err) {
      deps.refused?.('bad_request');
      const problems = err instanceof DeclarationError ? err.problems : [`not valid JSON: ${(err as Error).message}`];
      return { status: '400 Bad Request', body: { error: 'invalid event declaration', problems } };
    }
    const kv = await events();
    const before = await getDeclaration(kv, declaration.track, declaration.event).catch(() => undefined);
    const revision = await putDeclaration(kv, declaration);
    deps.log(`gateway: ${declaration.track}/${declaration.event} declared (revision ${revision})`);
    return {
      status: '201 Created',
      body: { track: declaration.track, event: declaration.event, revision, changes: diffDeclarations(before, declaration) },
    };
  }
}

import { SCORE_CSV_COLUMNS } from './score-download.ts';

/**
 * The OpenAPI 3.0 document of the gateway's HTTP API, served as `/openapi.json`. Every operation has an example
 * (parameters and response); gateway/rest/rest.test.ts calls each with its examples and validates the answer against
 * the schemas here, so the document cannot drift from the code.
 */
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const slug: Schema = { type: 'string', pattern: '^[a-z0-9-]+$' };
const obj = (required: Record<string, Schema>, optional: Record<string, Schema> = {}, additional = false): Schema => ({
  type: 'object',
  required: Object.keys(required),
  properties: { ...required, ...optional },
  additionalProperties: additional,
});
const list = (items: Schema): Schema => ({ type: 'array', items });

const SCORE_STANDING_EXAMPLE = {
  position: 1, number: '3', name: 'Driver A', class: 'gt3', classPosition: 1, laps: 2, lastLapMs: 91876, bestLapMs: 91876, bestLapNumber: 2,
  elapsedMs: 184322, gapMs: null, gapLaps: null, intervalMs: null, intervalLaps: null, status: 'running', penaltyMs: 0,
};

/** The results as CSV: not JSON, so not through `op` (whose 200 is JSON or MessagePack). */
function csvDownload(summary: string) {
  return {
    get: {
      summary,
      security: optionalBearer,
      parameters: trackSession,
      responses: {
        200: {
          description: 'OK: `text/csv` (RFC 4180, CRLF), a header line then one line per car; an empty field is `null` in the JSON. `Content-Disposition: attachment`.',
          content: { 'text/csv': { schema: str, example: `${SCORE_CSV_COLUMNS.join(',')}\r\n1,3,Driver A,gt3,1,2,91876,91876,2,184322,,,,,running,0\r\n` } },
        },
        ...limits, ...privateErrors, ...sessionErrors,
      },
    },
  };
}

const LOG_EXAMPLE = { id: '0b5e6a52-8f2d-4c1e-9a57-2f1c7b1d9e01', atMs: 1750000184321.5, by: 'acc-1', verb: 'flag', text: 'Full-course yellow', why: 'debris at turn 3' };

const EXAMPLE = { track: 'sebring', event: 'test-meeting', session: 'race-1', car: '3' };

const header = {
  track: 'sebring', event: 'test-meeting', session: 'race-1', name: 'Race 1', type: 'race', state: 'running', flag: 'green', clockMs: 184321.5,
};
const row = {
  number: '3', name: 'Driver A', class: 'gt3', position: 1, classPosition: 1, laps: 2, lastLapMs: 91876.2, bestLapMs: 91876.2, raceMs: 184321.5,
};

const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: str, message: str }, { reason: str }) }),
  LiveSession: obj({ track: slug, event: slug, session: slug, name: str, type: str, state: str, node: str }),
  SessionSummary: obj({ id: slug, name: str, type: str }, { state: str, node: str }),
  EventSummary: obj({ track: slug, event: slug, name: str, sessions: list(ref('SessionSummary')) }, { org: slug }),
  Event: obj({
    track: slug, event: slug, name: str,
    classes: list(obj({ id: str, name: str })),
    sessions: list(ref('SessionSummary')),
    entries: list(obj({ number: str, name: str, class: str }, { team: str })),
  }, {
    // The course the live map draws (GPS tracking): virtual lines, two [lat, lon] points each, and marks.
    timingLines: list(obj({ id: str, kind: str, points: list(list(num)) })),
    marks: list(obj({ id: str, lat: num, lon: num }, { name: str })),
  }),
  // Open for fields added later (clients ignore what they do not know, as on the WebSocket).
  SessionHeader: obj({ track: slug, event: slug, session: slug, name: str, type: str, state: str, flag: str, clockMs: num },
    { remainingMs: num, remainingLaps: int }, true),
  StandingRow: obj({ number: str, name: str, class: str, position: int, classPosition: int, laps: int }, {
    lastLapMs: num, bestLapMs: num, raceMs: num, gapMs: num, gapLaps: int, intervalMs: num, intervalLaps: int, finished: { type: 'boolean' },
  }, true),
  Standings: obj({ seq: int, session: ref('SessionHeader'), standings: list(ref('StandingRow')) }),
  Result: obj({ position: int, classPosition: int, number: str, name: str, class: str, laps: int, finished: { type: 'boolean' } },
    { bestLapMs: num, raceMs: num, gapMs: num, gapLaps: int }),
  Results: obj({ seq: int, session: ref('SessionHeader'), final: { type: 'boolean' }, results: list(ref('Result')) }),
  // docs/score-output.schema.json, as `pitwall score` prints it: every field present, null where it does not apply.
  ScoreStanding: obj({
    position: int, number: str, name: str, class: str, classPosition: int, laps: int,
    ...Object.fromEntries(['lastLapMs', 'bestLapMs', 'bestLapNumber', 'elapsedMs', 'gapMs', 'gapLaps', 'intervalMs', 'intervalLaps']
      .map((k) => [k, { type: 'integer', nullable: true }])),
    status: str, penaltyMs: int,
  }),
  ScoreOutput: obj({ sessions: list(obj({ id: slug, name: str, type: str, standings: list(ref('ScoreStanding')) })) }),
  Lap: obj({ lap: int, lapMs: num, raceMs: num, position: int, flag: str, pit: { type: 'boolean' } }),
  Laps: obj({ track: slug, session: slug, car: str, laps: list(ref('Lap')) }),
  ControlLogEntry: obj({ id: str, atMs: num, by: str, verb: str, text: str }, { car: str, why: str }),
  Penalty: obj({ id: str, atMs: num, car: str, type: str }, { timeMs: num, laps: int, why: str }),
  Flags: obj({ track: slug, session: slug, seq: int, flag: str, flags: list(ref('ControlLogEntry')) }, { sectors: list(int) }),
  ControlLog: obj({ track: slug, session: slug, seq: int, entries: list(ref('ControlLogEntry')), penalties: list(ref('Penalty')) }),
  CommandReply: obj({ id: str, outcome: { type: 'string', enum: ['accepted', 'refused'] } }, { streamSeq: int, duplicate: { type: 'boolean' }, code: str, reason: str }),
  Audit: obj({ track: slug, session: slug, commands: list(obj({ kind: str, id: str, verb: str, atUs: int, atMs: int, via: str,
    caller: obj({ sub: str, org: str, roles: list(str) }), args: { type: 'object' }, outcome: { type: 'object' } }, { why: str })) }),
  Check: obj({ ok: { type: 'boolean' } }, { message: str }),
  Health: obj({ status: { type: 'string', enum: ['live', 'ready', 'not_ready'] } }, { checks: { type: 'object', additionalProperties: ref('Check') } }),
};

const param = (name: keyof typeof EXAMPLE, description: string) => ({
  name, in: 'path', required: true, description, schema: name === 'car' ? { type: 'string', pattern: '^[A-Za-z0-9-]{1,16}$' } : slug, example: EXAMPLE[name],
});
const trackSession = [param('track', 'track id'), param('session', 'session id, unique within the track')];
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const limits = { 413: errorResponse('request body over the size limit'), 429: errorResponse('over the per-client rate limit; see Retry-After') };

/** Public data needs no token; a private event's needs a bearer token its organisation allows (issue 10). */
const privateErrors = {
  401: errorResponse('a private event\'s data without an accepted token: `reason` says why (missing, expired, signature, issuer, ' +
    'audience, malformed, claims); with `WWW-Authenticate: Bearer error="invalid_token"`'),
  403: errorResponse('a private event\'s data: the token is for another organisation, or a competitor of another event; or ' +
    'this gateway has no identity provider configured'),
};
const optionalBearer = [{}, { bearerAuth: [] }];

function op(summary: string, schema: string, example: unknown, parameters: unknown[] = [], errors: Record<number, unknown> = {}, secured = false) {
  return {
    get: {
      summary,
      ...(secured && { security: optionalBearer }),
      parameters,
      responses: {
        200: {
          description: 'OK. JSON by default; MessagePack with `Accept: application/msgpack` (same shape).',
          content: { 'application/json': { schema: ref(schema), example }, 'application/msgpack': { schema: ref(schema) } },
        },
        ...limits,
        ...(secured && privateErrors),
        ...errors,
      },
    },
  };
}

const sessionErrors = {
  400: errorResponse('a malformed id'),
  404: errorResponse('no engine runs this session'),
  504: errorResponse('the engine did not answer in time'),
};

/** POST …/commands/{verb}: needs a token (no anonymous call); the engine's reply, accepted or refused with its reason. */
function raceControlCommand() {
  const reply = (example: unknown) => ({ content: { 'application/json': { schema: ref('CommandReply'), example } } });
  return {
    post: {
      summary: 'A race-control command (docs/race-control.md): the verb\'s arguments and `why` as the JSON body. The engine owning the session decides it and audits it',
      security: [{ bearerAuth: [] }],
      parameters: [...trackSession, { name: 'verb', in: 'path', required: true, description: 'open, start, finish, official, flag, penalty, note, correction', schema: str, example: 'flag' }],
      requestBody: { content: { 'application/json': { schema: { type: 'object' }, example: { flag: 'fcy', why: 'debris at turn 3' } } } },
      responses: {
        200: { description: 'accepted: the event is in stream RACE and folded', ...reply({ id: '0b5e6a52-8f2d-4c1e-9a57-2f1c7b1d9e01', outcome: 'accepted', streamSeq: 1042 }) },
        400: { description: 'refused: malformed arguments (`bad_request`), or a malformed body', ...reply({ id: '0b5e', outcome: 'refused', code: 'bad_request', reason: 'flag: one of green, …' }) },
        401: errorResponse('no accepted token'),
        403: { description: 'refused: the role or organisation does not allow it (`unauthorized`); or no identity provider', ...reply({ id: '0b5e', outcome: 'refused', code: 'unauthorized', reason: 'flag needs the role race-control (the token has viewer)' }) },
        404: errorResponse('no engine owns this session'),
        409: { description: 'refused: the session or flag machine forbids it now (`not_allowed`)', ...reply({ id: '0b5e', outcome: 'refused', code: 'not_allowed', reason: 'the flag machine does not allow white → green' }) },
        422: { description: 'refused: `unknown_car` or `unknown_class`', ...reply({ id: '0b5e', outcome: 'refused', code: 'unknown_car', reason: 'car #99 is not entered in this session' }) },
        504: errorResponse('the engine did not answer in time'),
        ...limits,
      },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Pitwall gateway',
      version: '1',
      description: 'Live timing over HTTP. Times are milliseconds with the unit in the name (`bestLapMs`). Live updates are on the ' +
        'WebSocket `/ws` (docs/protocol.md). Every response is JSON, or MessagePack with `Accept: application/msgpack`; errors are ' +
        '`{"error": {"code", "message"}}`. Private events need `Authorization: Bearer <token>` (security scheme bearerAuth; 401/403). Requests are rate limited per client address (429 with Retry-After) and bodies are size limited (413).',
    },
    servers: [{ url: '/' }],
    paths: {
      '/api/events': op('Events (KV events) with their sessions; live ones carry their state. Private events are listed only for a bearer token allowed to see them', 'EventList',
        { events: [{ track: 'sebring', event: 'test-meeting', name: 'Test meeting', sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', state: 'running', node: 'node-1' }] }] },
        [], {}, true),
      '/api/events/{track}/{event}': op('One event: classes, sessions, entries and, for GPS tracking, the course the live map draws (a private one for a bearer token its organisation allows)', 'Event',
        { track: 'sebring', event: 'test-meeting', name: 'Test meeting', classes: [{ id: 'gt3', name: 'GT3' }],
          sessions: [{ id: 'race-1', name: 'Race 1', type: 'race' }], entries: [{ number: '3', name: 'Driver A', class: 'gt3' }] },
        [param('track', 'track id'), param('event', 'event id')], { 400: errorResponse('a malformed id'), 404: errorResponse('no such event') }, true),
      '/api/sessions': op('Live sessions, from the engines\' health messages; private events\' sessions only for a bearer token allowed to see them', 'SessionList',
        { sessions: [{ track: 'sebring', event: 'test-meeting', session: 'race-1', name: 'Race 1', type: 'race', state: 'running', node: 'node-1' }] },
        [], {}, true),
      '/api/sessions/{track}/{session}/standings': op('Current standings (the gateway\'s materialised view) and its seq', 'Standings',
        { seq: 42, session: header, standings: [row] }, trackSession, sessionErrors, true),
      '/api/sessions/{track}/{session}/results': op('Results: the standing fields; `final` once the session finished. A session no engine holds any more (finished, or the stack restarted since) is read from its events in RACE or the ClickHouse archive, with seq 0', 'Results',
        { seq: 42, session: header, final: false, results: [{ position: 1, classPosition: 1, number: '3', name: 'Driver A', class: 'gt3', laps: 2,
          bestLapMs: 91876.2, raceMs: 184321.5, finished: false }] }, trackSession, sessionErrors, true),
      '/api/sessions/{track}/{session}/results.json': op('Results as `pitwall score` prints them (docs/score-output.schema.json) for this one session, as a download; ' +
        'provisional until the session is finished (see `final` of …/results)', 'ScoreOutput',
        { sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', standings: [SCORE_STANDING_EXAMPLE] }] }, trackSession, sessionErrors, true),
      '/api/sessions/{track}/{session}/results.csv': csvDownload('The same results as CSV, one line per car, the columns those of results.json'),
      '/api/sessions/{track}/{session}/cars/{car}/laps': op('Every completed lap of one car, from ClickHouse', 'Laps',
        { track: 'sebring', session: 'race-1', car: '3', laps: [{ lap: 1, lapMs: 92445.3, raceMs: 92445.3, position: 1, flag: 'green', pit: false }] },
        [...trackSession, param('car', 'car number as declared ("05" ≠ "5")')],
        { 400: errorResponse('a malformed id'), 503: errorResponse('this gateway has no ClickHouse access') }, true),
      '/api/sessions/{track}/{session}/flags': op('The flag now and the flag changes race control made (a source\'s own flags are not listed)', 'Flags',
        { track: 'sebring', session: 'race-1', seq: 42, flag: 'fcy', flags: [LOG_EXAMPLE] }, trackSession, sessionErrors, true),
      '/api/sessions/{track}/{session}/control-log': op('Race control log (the latest 200 entries) and every penalty given', 'ControlLog',
        { track: 'sebring', session: 'race-1', seq: 42, entries: [LOG_EXAMPLE], penalties: [] }, trackSession, sessionErrors, true),
      '/api/sessions/{track}/{session}/commands/{verb}': raceControlCommand(),
      '/api/sessions/{track}/{session}/audit': {
        get: {
          ...op('Every race-control command the engine decided for this session, oldest first (race-control, timing or admin of the event\'s organisation; docs/race-control.md)', 'Audit',
            { track: 'sebring', session: 'race-1', commands: [{ kind: 'audit', id: '0b5e6a52-8f2d-4c1e-9a57-2f1c7b1d9e01', verb: 'flag', atUs: 1750000184321500, atMs: 1750000184322,
              via: 'rest', caller: { sub: 'acc-1', org: 'club', roles: ['race-control'] }, args: { flag: 'fcy' }, why: 'debris', outcome: { outcome: 'accepted', streamSeq: 1042 } }] },
            [...trackSession, { name: 'limit', in: 'query', required: false, description: 'the latest N (default 1000, at most 10000)', schema: int }],
            { 400: errorResponse('a malformed id or limit'), 401: errorResponse('no accepted token'), 403: errorResponse('not race control, timing or admin of the event\'s organisation'),
              404: errorResponse('no declared event with this session and an organisation') }).get,
          security: [{ bearerAuth: [] }],
        },
      },
      '/healthz/live': op('Liveness: the process serves HTTP', 'Health', { status: 'live' }),
      '/healthz/ready': op('Readiness: NATS connected and a snapshot request answered (503 when not)', 'Health',
        { status: 'ready', checks: { nats: { ok: true }, snapshot: { ok: true, message: 'sebring/race-1 answered at seq 42' } } },
        [], { 503: { description: 'not ready; the body says which check failed', content: { 'application/json': { schema: ref('Health') } } } }),
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'An access token of the identity provider (ES256 `at+jwt`, audience urn:pitwall:gateway) with `org` and `roles`. ' +
            'Public events need none. A private event\'s data needs one of its organisation (any role; a competitor only for its own ' +
            'event): the same rule as the WebSocket `auth` frame. POST /api/events (not in this document) needs role timing or admin of the declaration\'s `org`.',
        },
      },
      schemas: {
        ...schemas,
        EventList: obj({ events: list(ref('EventSummary')) }),
        SessionList: obj({ sessions: list(ref('LiveSession')) }),
      },
    },
  };
}

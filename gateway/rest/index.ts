import type { NatsConnection } from '@nats-io/transport-node';
import type { TemplatedApp } from 'uWebSockets.js';
import type { SessionView } from '../../actors/contracts/view.ts';
import type { ClickHouseHttp } from '../../engine/clickhouse/http.ts';
import type { PrivateEventLookup } from '../auth/private-events.ts';
import type { TokenVerifier } from '../auth/verifier.ts';
import type { LiveSessions } from '../live-sessions.ts';
import type { SessionRef } from '../protocol.ts';
import { createRaceControlHandlers } from '../race-control/rest.ts';
import type { CommandSender } from '../race-control/send-command.ts';
import { createRestAccess } from './access.ts';
import { createDeclarationReader } from './declarations.ts';
import { createHealth } from './health.ts';
import { apiError, createApiRouter } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { createRateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { createRestHandlers } from './routes.ts';
import { createViewReader } from './views.ts';
import { createArchivedViews } from './archived-views.ts';

export interface RestOptions {
  /** Request bodies over this are refused with 413. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Per remote address. Default a burst of 60, 20 per second. Behind a proxy every client shares its address. */
  rateLimit?: RateLimitOptions;
  /** Wait for an engine's snapshot or NATS. Default 2000 ms. */
  timeoutMs?: number;
}

export interface RestDeps {
  app: TemplatedApp;
  nc: NatsConnection;
  log: (line: string) => void;
  live: LiveSessions;
  /** The gateway's materialised view of a session, when spectators follow it. */
  current(ref: SessionRef): { seq: number; view: SessionView } | undefined;
  clickhouse?: ClickHouseHttp;
  /** Which private events govern a session (shared with /ws). */
  privateEvents: PrivateEventLookup;
  /** Checks bearer tokens; without it private events' data is refused (403) and lists show public events only. */
  verifier?: TokenVerifier;
  /** Sends race-control commands to the engines (shared with /ws). */
  sendCommand: CommandSender;
}

/** Registers `/api/…`, `/openapi.json` and `/healthz/{live,ready}` on the gateway's uWS app. */
export function registerRestApi(deps: RestDeps, opts: RestOptions = {}): void {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const limiter = createRateLimiter(opts.rateLimit ?? { burst: 60, perSecond: 20 });
  const router = createApiRouter({ app: deps.app, limiter, log: deps.log }, { maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024 });
  const archived = createArchivedViews({ nc: deps.nc, ...(deps.clickhouse ? { clickhouse: deps.clickhouse } : {}) }, { timeoutMs });
  const view = createViewReader({ nc: deps.nc, current: deps.current, archived }, { timeoutMs });
  const declarations = createDeclarationReader({ nc: deps.nc, log: deps.log }, { cacheMs: 1000 });
  const h = createRestHandlers({
    live: () => deps.live.list(),
    declarations,
    view,
    clickhouse: deps.clickhouse,
    privateEvents: deps.privateEvents,
    access: createRestAccess(deps.verifier),
  });
  // Readiness asks an engine itself: the materialised view would hide a broken snapshot path.
  const ask = createViewReader({ nc: deps.nc, current: () => undefined }, { timeoutMs });
  const health = createHealth({ nc: deps.nc, live: () => deps.live.list(), view: ask }, { timeoutMs });
  const doc = openApiDocument();

  router.get('/openapi.json', () => ({ status: 200, body: doc }));
  router.get('/healthz/live', health.live, { limited: false });
  router.get('/healthz/ready', health.ready, { limited: false });
  router.get('/api/events', h.events);
  router.get('/api/events/:track/:event', h.event);
  router.get('/api/sessions', h.sessions);
  router.get('/api/sessions/:track/:session/standings', h.standings);
  router.get('/api/sessions/:track/:session/results', h.results);
  router.get('/api/sessions/:track/:session/results.json', h.resultsJson);
  router.get('/api/sessions/:track/:session/results.csv', h.resultsCsv);
  router.get('/api/sessions/:track/:session/cars/:car/laps', h.laps);
  router.get('/api/sessions/:track/:session/flags', h.flags);
  router.get('/api/sessions/:track/:session/control-log', h.controlLog);
  const rc = createRaceControlHandlers({ nc: deps.nc, verifier: deps.verifier, send: deps.sendCommand, live: () => deps.live.list(), declarations, timeoutMs });
  router.post('/api/sessions/:track/:session/commands/:verb', rc.command);
  router.get('/api/sessions/:track/:session/audit', rc.audit);
  router.any('/api/*', (req) => apiError(404, 'not_found', `no ${req.method} ${req.path}: the API is described at /openapi.json`));
}

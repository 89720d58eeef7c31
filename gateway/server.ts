import { readFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { HttpResponse, us_listen_socket, us_socket } from 'uWebSockets.js';
import type { ClickHouseHttp } from '../engine/clickhouse/http.ts';
import { createPrivateEventLookup } from './auth/private-events.ts';
import type { TokenVerifier } from './auth/verifier.ts';
import { GATEWAY_AUDIENCE, GATEWAY_SCOPE } from '../oidc/claims.ts';
import { WEB_CLIENT_ID } from '../oidc/clients.ts';
import { bundleBrowserCode } from './bundle.ts';
import { registerEventsApi } from './events-api.ts';
import { createLiveSessions } from './live-sessions.ts';
import { createDeviceKeyLookup } from './gps/device-keys.ts';
import { registerOsmAnd } from './gps/osmand.ts';
import { createRiderPositions } from './gps/rider-positions.ts';
import { createGatewayMetrics } from './metrics.ts';
import { createDeclarationReader } from './rest/declarations.ts';
import { createLivePositions } from './positions/live-positions.ts';
import { createCommandSender } from './race-control/send-command.ts';
import { registerRestApi, type RestOptions } from './rest/index.ts';
import { createSpectatorHub, type SpectatorData } from './spectator-hub.ts';
import { requireNativeUws } from './uws.ts';

export interface GatewayDeps {
  nc: NatsConnection;
  /** Where the gateway's metrics go and what `/metrics` serves (never prom-client's global registry). */
  registry: Registry;
  log: (line: string) => void;
  /** Where `/api/sessions/…/laps` reads laps (a read-only user will do); without it that route answers 503. */
  clickhouse?: ClickHouseHttp;
  /**
   * Checks access tokens (the identity provider's issuer and JWKS): `auth` frames on /ws, `Authorization: Bearer` on
   * REST and POST /api/events. Without it the gateway serves public events only (private ones are refused, 403 on
   * REST) and POST /api/events is loopback-only.
   */
  verifier?: TokenVerifier;
  /** The identity provider's issuer URL, where the race-control page (`/race-control`) sends officials to log in. */
  loginIssuer?: string;
}

export interface GatewayOptions {
  /** Loopback only: TLS and public exposure belong to a proxy in front (DESIGN §3). */
  host: '127.0.0.1';
  /** 0 takes a free port. */
  port: number;
  /**
   * Per spectator socket: bytes queued in the gateway above which it leaves fan-out until it drains, then gets a
   * snapshot (docs/protocol.md, "Slow spectators"). Default 256 KiB.
   */
  maxBackpressure?: number;
  /** How long a spectator may stay over `maxBackpressure` before it is disconnected. Default 30 000 ms. */
  slowSpectatorTimeoutMs?: number;
  /** Wait for an engine's snapshot reply. Default 2000 ms. */
  snapshotTimeoutMs?: number;
  /** Wait for an engine's decision on a race-control command. Default 10000 ms. */
  commandTimeoutMs?: number;
  /** A node not heard from for this long is dropped from `/api/sessions`. Default 5000 ms. */
  staleMs?: number;
  /** REST limits (gateway/rest/): request size, per-client rate. */
  rest?: RestOptions;
}

export interface Gateway {
  port: number;
  /** Closes the listen socket and every WebSocket and unsubscribes from NATS; the NATS connection stays open. */
  stop(): Promise<void>;
}

const pageUrl = new URL('./page/index.html', import.meta.url);
const raceControlPageUrl = new URL('./page/race-control.html', import.meta.url);
const driverPageUrl = new URL('./page/driver.html', import.meta.url);
const resultsPageUrl = new URL('./page/results.html', import.meta.url);
const eventsPageUrl = new URL('./page/events.html', import.meta.url);
const riderPageUrl = new URL('./page/rider.html', import.meta.url);
const mapPageUrl = new URL('./page/map.html', import.meta.url);

function send(res: HttpResponse, contentType: string, body: string | Uint8Array, status = '200 OK') {
  res.writeStatus(status).writeHeader('content-type', contentType).writeHeader('cache-control', 'no-cache').end(body);
}

/**
 * The spectator gateway: `/` the live board (`/tv` for a track-side screen), `/events` the events and sessions, `/driver/…`,
 * `/results/…` and `/map/…` pages, `/rider` (a competitor's phone sends positions; Traccar Client uses `/api/gps/osmand`), `/client.js` the client library, `/ws` the spectator WebSocket,
 * the REST API with `/openapi.json` and `/healthz/*` (gateway/rest/), `/metrics`. Refuses to start on uWebSockets.js's slow JavaScript fallback.
 */
export async function createGateway(deps: GatewayDeps, opts: GatewayOptions): Promise<Gateway> {
  const uWS = requireNativeUws();
  if (opts.host !== '127.0.0.1') throw new Error(`the gateway binds 127.0.0.1 only, got ${String(opts.host)}`);
  const { nc, registry, log } = deps;
  const [bundle, page, raceControlPage, driverPage, resultsPage, eventsPage, riderPage, mapPage] = await Promise.all([bundleBrowserCode(), readFile(pageUrl),
    readFile(raceControlPageUrl), readFile(driverPageUrl), readFile(resultsPageUrl), readFile(eventsPageUrl), readFile(riderPageUrl), readFile(mapPageUrl)]);

  const app = uWS.App();
  const metrics = createGatewayMetrics(registry);
  const live = createLiveSessions({ nc, log, badInput: () => metrics.inputError('bad_health_message') }, { staleMs: opts.staleMs ?? 5000 });
  const privateEvents = createPrivateEventLookup({ nc, live, log }, { cacheMs: 2000 });
  const maxBackpressure = opts.maxBackpressure ?? 256 * 1024;
  // The engine answers once the command's event is folded (or refused): allow more than a snapshot's wait.
  const sendCommand = createCommandSender(nc, { timeoutMs: opts.commandTimeoutMs ?? 10_000 });
  // Riders' positions (rider page on /ws, Traccar Client on /api/gps/osmand) name their event: a new entry counts within 2 s.
  const riderPositions = createRiderPositions({ nc, declarations: createDeclarationReader({ nc, log }, { cacheMs: 2000, serveStale: true }) });
  const positions = createLivePositions({ nc, live, log, badInput: () => metrics.inputError('bad_gps_message'), fixes: metrics.mapFix });
  const hub = createSpectatorHub({ nc, metrics, log, privateEvents, verifier: deps.verifier, sendCommand, riderPositions, positions }, {
    snapshotTimeoutMs: opts.snapshotTimeoutMs ?? 2000,
    snapshotRetryMs: 500,
    maxBackpressure,
    slowSpectatorTimeoutMs: opts.slowSpectatorTimeoutMs ?? 30_000,
  });

  await nc.flush(); // the health and gps subscriptions are in place when the gateway is

  app.ws<SpectatorData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: 4 * 1024, // client frames are a few dozen bytes; a larger one closes the socket
    maxBackpressure, // uWS refuses sends over it; the hub takes such a socket out of fan-out first
    closeOnBackpressureLimit: 0, // the hub decides, after slowSpectatorTimeoutMs
    idleTimeout: 120,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      res.upgrade<SpectatorData>({ sessions: new Set() }, req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => hub.open(ws),
    message: (ws, data, isBinary) => hub.message(ws, data, isBinary),
    drain: (ws) => hub.drain(ws),
    close: (ws) => hub.close(ws),
  });
  app.get('/', (res) => send(res, 'text/html; charset=utf-8', page));
  app.get('/tv', (res) => send(res, 'text/html; charset=utf-8', page)); // the same board, as a track-side screen
  app.get('/events', (res) => send(res, 'text/html; charset=utf-8', eventsPage));
  app.get('/events.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.eventsJs));
  app.get('/client.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.clientJs));
  app.get('/spectator.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.spectatorJs));
  app.get('/race-control', (res) => send(res, 'text/html; charset=utf-8', raceControlPage));
  app.get('/race-control.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.raceControlJs));
  // One car on a phone, and a session's results with downloads and charts; the pages read the ids from their path.
  app.get('/driver/:track/:session/:car', (res) => send(res, 'text/html; charset=utf-8', driverPage));
  app.get('/driver.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.driverJs));
  app.get('/results/:track/:session', (res) => send(res, 'text/html; charset=utf-8', resultsPage));
  app.get('/results.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.resultsJs));
  // A competitor's phone: sends its positions after logging in with the rider token (issue 15).
  app.get('/rider', (res) => send(res, 'text/html; charset=utf-8', riderPage));
  app.get('/rider.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.riderJs));
  // The live map of a session (GPS tracking), full screen.
  app.get('/map/:track/:session', (res) => send(res, 'text/html; charset=utf-8', mapPage));
  app.get('/map.js', (res) => send(res, 'text/javascript; charset=utf-8', bundle.mapJs));
  // Where the pages send people to log in: officials from /race-control, spectators of private events back to
  // /events (the identity provider must list both among its web redirect URIs).
  const loginConfig = JSON.stringify({ ...(deps.loginIssuer && { issuer: deps.loginIssuer }), clientId: WEB_CLIENT_ID, resource: GATEWAY_AUDIENCE, scope: `openid ${GATEWAY_SCOPE}` });
  app.get('/race-control/config.json', (res) => send(res, 'application/json', loginConfig));
  app.get('/login/config.json', (res) => send(res, 'application/json', loginConfig));
  registerRestApi({ app, nc, log, live, current: (ref) => hub.current(ref), clickhouse: deps.clickhouse, privateEvents, verifier: deps.verifier, sendCommand },
    { timeoutMs: opts.snapshotTimeoutMs, ...opts.rest });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    registry.metrics().then(
      (text) => { if (!aborted) res.cork(() => send(res, registry.contentType, text)); },
      (error: unknown) => { if (!aborted) res.cork(() => send(res, 'text/plain', String(error), '500 Internal Server Error')); },
    );
  });
  registerEventsApi(app, { nc, log, verifier: deps.verifier });
  registerOsmAnd(app, { positions: riderPositions, deviceKeys: createDeviceKeyLookup(nc), metrics, log });
  app.any('/*', (res) => send(res, 'text/plain', 'not found\n', '404 Not Found'));

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(opts.host, opts.port, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`gateway: cannot listen on ${opts.host}:${opts.port}`));
    });
  });
  const port = uWS.us_socket_local_port(listenSocket as us_socket) // a listen socket is a socket to uSockets;
  log(`gateway: listening on http://${opts.host}:${port}/`);
  let stopped = false;
  return {
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      uWS.us_listen_socket_close(listenSocket);
      hub.stop();
      positions.stop();
      live.stop();
    },
  };
}

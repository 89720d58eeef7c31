import type { TemplatedApp } from 'uWebSockets.js';
import type { RiderEntry } from '../../actors/contracts/gps.ts';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import type { TraccarDevice } from '../../oidc/riders.ts';
import type { GatewayMetrics, OSMAND_ERROR_KINDS } from '../metrics.ts';
import { apiError, createApiRouter, type ApiRequest, type ApiResult } from '../rest/http.ts';
import { createRateLimiter } from '../rest/rate-limit.ts';
import type { DeviceKeyLookup } from './device-keys.ts';
import { parseOsmAndRequest } from './osmand-request.ts';
import type { PositionRefusal, RiderPositions } from './rider-positions.ts';

/** The OsmAnd endpoint's path: Traccar Client's "server URL" is `https://<host>/api/gps/osmand`. */
export const OSMAND_PATH = '/api/gps/osmand';
/** Device keys are 16 hex characters; anything much longer is not one (and is not looked up). */
const MAX_KEY_LENGTH = 128;

type OsmAndRefusal = (typeof OSMAND_ERROR_KINDS)[number] extends `osmand_${infer R}` ? R : never;

const STATUS: Record<PositionRefusal, number> = { unknown_entry: 404, forbidden: 403, bad_position: 400, rate_limited: 429, unavailable: 503 };

/** What a log line may show of a device key (DESIGN §6: it is a credential, and it travels in URLs). */
export const keyHint = (key: string) => `${key.slice(0, 4)}…`;

/** What a device key stands for, as claims `authorize` understands: the entry's competitor in its organisation. */
const deviceClaims = (device: TraccarDevice): VerifiedClaims => ({ sub: 'traccar-device', org: device.org, roles: ['competitor'], entry: device.entry });

/**
 * Traccar Client and OsmAnd (osmand-request.ts for what they send): GET or POST on `/api/gps/osmand`, or on
 * `/api/gps/osmand/<event>/<number>` to say which entry the phone reports for (then a key of another entry is refused).
 *
 *   200  stored in EDGE (JetStream acknowledged it, or it was a re-sent fix already stored)
 *   400  malformed request: a number that is not one, a time out of bounds
 *   401  no device key (`id`)
 *   403  a device key Pitwall did not issue or revoked, a key of another entry, an event without organisation
 *   404  the entry is not declared
 *   503  NATS or JetStream did not take it: Traccar Client keeps the fix and sends it again
 *
 * Every refusal is counted (`pitwall_input_errors_total{kind="osmand_…"}`) and nothing is published for it. No rate
 * limit per address: behind the HTTPS proxy every rider shares one, and each request needs a valid key.
 */
export function registerOsmAnd(app: TemplatedApp, deps: { positions: RiderPositions; deviceKeys: DeviceKeyLookup; metrics: GatewayMetrics;
  log: (line: string) => void; now?: () => number }): void {
  const now = deps.now ?? Date.now;
  // The REST router for its body limits, error bodies and onAborted; its limiter is never asked (every route unlimited).
  const router = createApiRouter({ app, limiter: createRateLimiter({ burst: 1, perSecond: 1 }), log: deps.log }, { maxBodyBytes: 256 * 1024 });

  const refuse = (status: number, code: OsmAndRefusal, message: string): ApiResult => {
    deps.metrics.inputError(`osmand_${code}`);
    return apiError(status, code, message);
  };

  const handle = async (req: ApiRequest): Promise<ApiResult> => {
    const parsed = parseOsmAndRequest(req.query, req.body, now());
    if (!parsed.ok) return refuse(400, 'bad_request', parsed.message);
    const key = parsed.deviceKey;
    if (!key) return refuse(401, 'missing_key', 'no device key: send the device identifier from `pitwall rider token` as id=…');
    let device: TraccarDevice | undefined;
    if (key.length <= MAX_KEY_LENGTH) {
      try {
        device = await deps.deviceKeys(key);
      } catch (error) {
        deps.log(`gateway: osmand: device key ${keyHint(key)} could not be looked up: ${(error as Error).message}`);
        return refuse(503, 'unavailable', 'the device key could not be checked now: send again');
      }
    }
    if (!device) return refuse(403, 'bad_key', `device key ${keyHint(key)} is not one Pitwall issued, or it was revoked`);
    const [event, number] = req.params;
    const entry: RiderEntry = event !== undefined && number !== undefined ? { event, number } : device.entry;
    for (const position of parsed.positions) {
      const outcome = await deps.positions.accept({ claims: deviceClaims(device), entry, position, via: 'osmand' });
      if (!outcome.ok) return refuse(STATUS[outcome.code], outcome.code, outcome.message);
      deps.metrics.gpsFix('osmand');
    }
    return { status: 200, body: { ok: true, stored: parsed.positions.length } };
  };

  for (const path of [OSMAND_PATH, `${OSMAND_PATH}/:event/:number`]) {
    router.get(path, handle, { limited: false });
    router.post(path, handle, { limited: false });
  }
}

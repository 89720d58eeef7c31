import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { gpsFixMsgId, riderDevice, type GpsFix, type RiderEntry } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { VerifiedClaims } from '../../oidc/claims.ts';
import { authorize } from '../auth/authorize.ts';
import { AccessDeniedError } from '../auth/errors.ts';
import { positionProblem, type RiderPosition } from './position-check.ts';
import { createRateLimiter, type RateLimitOptions } from '../rest/rate-limit.ts';

/** Why a position was refused: the WebSocket error code, and the OsmAnd endpoint's HTTP status. */
export type PositionRefusal = 'unknown_entry' | 'forbidden' | 'bad_position' | 'rate_limited' | 'unavailable';

export type PositionOutcome =
  | { ok: true; fix: GpsFix; track: string; duplicate: boolean }
  | { ok: false; code: PositionRefusal; message: string };

export interface RiderPositionInput {
  /** Who sends it: a competitor token's claims, or what a Traccar device key stands for (rider-endpoints). */
  claims: VerifiedClaims;
  /** The entry the position is for. */
  entry: RiderEntry;
  position: RiderPosition;
  via: GpsFix['via'];
}

export interface RiderPositions {
  /** Checks a rider's position and publishes it into EDGE; resolves once JetStream acknowledged it, or with why not. */
  accept(input: RiderPositionInput): Promise<PositionOutcome>;
}

/**
 * Per entry, over both endpoints: a phone sends about one fix a second, and Traccar Client flushes what it buffered
 * offline in a burst (a replay at full speed, too); a client that floods (a bug, a stolen token) is refused with
 * `rate_limited` before anything is published, so one rider cannot swamp EDGE and the engine.
 */
export const RIDER_RATE_LIMIT: RateLimitOptions = { burst: 2000, perSecond: 50 };

type Refused = Extract<PositionOutcome, { ok: false }>;
const refused = (code: PositionRefusal, message: string): Refused => ({ ok: false, code, message });

/**
 * The one way a rider's position enters Pitwall (the rider page's WebSocket and Traccar Client's OsmAnd requests
 * both come here): the entry must be declared in its event (KV `events`, owned by an organisation), the sender
 * must be that entry's competitor in that organisation (`authorize`), the numbers must make sense
 * (position-check.ts); then the fix goes to `gps.<track>.<device>` with its message id, so a re-sent fix is one.
 * Nothing is published for a refused position.
 */
export function createRiderPositions(
  deps: { nc: NatsConnection; declarations: () => Promise<EventDeclaration[]>; now?: () => number },
  opts: { rateLimit?: RateLimitOptions } = {},
): RiderPositions {
  const now = deps.now ?? Date.now;
  const js = jetstream(deps.nc);
  const rate = opts.rateLimit ?? RIDER_RATE_LIMIT;
  const limiter = createRateLimiter(rate, now);

  /** The declaration of the entry's event: the one of the sender's organisation when several tracks hold the slug. */
  const findEvent = async (entry: RiderEntry, org: string): Promise<EventDeclaration | Refused> => {
    let all;
    try {
      all = await deps.declarations();
    } catch (error) {
      return refused('unavailable', `the event declarations could not be read (${(error as Error).message}): try again`);
    }
    const named = all.filter((d) => d.event === entry.event);
    if (named.length === 0) return refused('unknown_entry', `event ${entry.event} is not declared`);
    const own = named.filter((d) => d.org === org);
    if (own.length > 1) return refused('unknown_entry', `event ${entry.event} is declared at several tracks (${own.map((d) => d.track).join(', ')}): cannot tell which`);
    return own[0] ?? named[0]!; // another organisation's event: authorize says so
  };

  return {
    async accept({ claims, entry, position, via }) {
      const declaration = await findEvent(entry, claims.org);
      if ('ok' in declaration) return declaration;
      if (declaration.org === undefined) {
        return refused('forbidden', `event ${entry.event} has no organisation (org in its declaration): nobody may send positions for it`);
      }
      try {
        authorize(claims, { org: declaration.org, role: 'competitor', entry });
      } catch (error) {
        if (error instanceof AccessDeniedError) return refused('forbidden', `position for ${entry.event} #${entry.number} refused: ${error.message}`);
        throw error;
      }
      if (!declaration.entries.some((e) => e.number === entry.number)) {
        return refused('unknown_entry', `entry #${entry.number} is not declared in event ${entry.event}`);
      }
      const allowed = limiter.take(`${entry.event}/${entry.number}`);
      if (!allowed.ok) {
        return refused('rate_limited', `#${entry.number} sends positions faster than ${rate.perSecond} a second (after a burst of ${rate.burst}): not stored, try again in ${allowed.retryAfterSec} s`);
      }
      const receivedAtMs = now();
      const problem = positionProblem(position, receivedAtMs);
      if (problem) return refused('bad_position', problem);
      const fix: GpsFix = {
        type: 'fix', device: riderDevice(entry), entry: { event: entry.event, number: entry.number },
        atUs: Math.round(position.atMs * 1000), lat: position.lat, lon: position.lon,
        ...(position.speedMps !== undefined && { speedMps: position.speedMps }),
        ...(position.accuracyM !== undefined && { accuracyM: position.accuracyM }),
        receivedAtUs: Math.round(receivedAtMs * 1000), via,
      };
      try {
        const ack = await js.publish(subjects.gps(declaration.track, fix.device), JSON.stringify(fix), { msgID: gpsFixMsgId(fix) });
        return { ok: true, fix, track: declaration.track, duplicate: ack.duplicate };
      } catch (error) {
        return refused('unavailable', `the position could not be stored (${(error as Error).message}): send it again`);
      }
    },
  };
}

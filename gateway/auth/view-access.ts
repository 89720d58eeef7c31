import type { VerifiedClaims } from '../../oidc/claims.ts';
import type { PrivateEvent } from './private-events.ts';

/** Why a connection may not follow a private event's session, in words for the client; undefined when it may. */
export function viewRefusal(who: { claims?: VerifiedClaims; verifier: boolean }, events: PrivateEvent[], session: string): string | undefined {
  for (const ev of events) {
    const what = `${ev.track}/${session} belongs to the private event ${ev.event}`;
    if (!who.verifier) return `${what}: this gateway has no identity provider configured`;
    if (!ev.org) return `${what}, which names no organisation: nobody may follow it`;
    const claims = who.claims;
    if (!claims) return `${what} of organisation ${ev.org}: send an auth frame with a token of that organisation first`;
    if (claims.org !== ev.org) return `${what} of organisation ${ev.org}; the token is for organisation ${claims.org}`;
    // Any staff role of the organisation may watch; a competitor only their own event.
    if (claims.roles.some((r) => r !== 'competitor')) continue;
    if (claims.entry?.event !== ev.event) {
      return `${what}; the competitor token is for ${claims.entry ? `event ${claims.entry.event}` : 'no event'}`;
    }
  }
  return undefined;
}

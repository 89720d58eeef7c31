import type { CommandCaller, CommandVerb } from '../../actors/contracts/race-control.ts';
import type { SessionState } from '../../actors/contracts/flags.ts';
import { isRole, type Role } from '../../oidc/claims.ts';
import { authorize } from '../../gateway/auth/authorize.ts';
import { AccessDeniedError } from '../../gateway/auth/errors.ts';

/**
 * Who may send a command (the engine decides; the gateway only verified the token and passes its claims):
 * - the event's organisation (its declaration's `org`) only: an event without one takes no commands;
 * - race-control (or admin) for session verbs, flags, penalties and notes; corrections also timing;
 * - once the session is official, its results change (penalties, corrections) only with admin.
 * Returns why not, or undefined.
 */
export function callerRefusal(caller: CommandCaller, verb: CommandVerb, org: string | undefined, state: SessionState): string | undefined {
  if (org === undefined) return 'the event declares no organisation (org): nobody may send it race-control commands';
  const claims = { sub: caller.sub, org: caller.org, roles: caller.roles.filter(isRole) };
  const allowed: Role[] = state === 'official' && (verb === 'penalty' || verb === 'correction')
    ? ['admin']
    : verb === 'correction' ? ['race-control', 'timing'] : ['race-control'];
  let denied: AccessDeniedError | undefined;
  for (const role of allowed) {
    try {
      authorize(claims, { org, role });
      return undefined;
    } catch (error) {
      if (!(error instanceof AccessDeniedError)) throw error;
      denied ??= error;
    }
  }
  const why = denied?.reason === 'organisation' ? denied.message : `${verb} needs the role ${allowed.join(' or ')} (the token has ${claims.roles.join(', ') || 'none'})`;
  return state === 'official' && allowed[0] === 'admin' && denied?.reason !== 'organisation' ? `the session is official: ${why}` : why;
}

import type { EntryScope, Role, VerifiedClaims } from '../../oidc/claims.ts';
import { AccessDeniedError } from './errors.ts';

/** What an action needs: a role in an organisation; for a competitor's action, their own entry. */
export interface Requirement {
  org: string;
  role: Role;
  entry?: EntryScope;
}

/** Staff roles that also satisfy a lesser one: an admin may do anything staff may; race control may view. */
const IMPLIED: Record<Role, Role[]> = {
  admin: ['admin', 'race-control', 'timing', 'viewer'],
  'race-control': ['race-control', 'viewer'],
  timing: ['timing', 'viewer'],
  viewer: ['viewer'],
  competitor: ['competitor'],
};

/** Throws AccessDeniedError unless the verified claims meet the requirement. */
export function authorize(claims: VerifiedClaims, need: Requirement): void {
  if (claims.org !== need.org) throw new AccessDeniedError('organisation', `the token is for organisation ${claims.org}, not ${need.org}`);
  if (!claims.roles.some((r) => IMPLIED[r].includes(need.role))) {
    throw new AccessDeniedError('role', `the role ${need.role} is needed (the token has ${claims.roles.join(', ') || 'none'})`);
  }
  // a competitor acts only for their own entry (staff roles never imply `competitor`)
  if (need.role === 'competitor' && need.entry) {
    const own = claims.entry;
    if (!own || own.event !== need.entry.event || own.number !== need.entry.number) {
      throw new AccessDeniedError('entry', `the token is for entry ${own ? `${own.event} #${own.number}` : 'none'}, not ${need.entry.event} #${need.entry.number}`);
    }
  }
}

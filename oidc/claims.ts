/**
 * The identity contract shared by the identity provider (which puts these claims into access tokens) and the gateway
 * (which checks them): roles per organisation, a competitor scoped to one entry.
 */
export const ROLES = ['admin', 'race-control', 'timing', 'viewer', 'competitor'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** One entry of one event: what a `competitor` may act for. `number` is the car's number exactly as declared. */
export interface EntryScope {
  event: string;
  number: string;
}

/** The resource indicator (audience) of access tokens for the gateway. */
export const GATEWAY_AUDIENCE = 'urn:pitwall:gateway';
/** The one scope of the gateway's resource server. */
export const GATEWAY_SCOPE = 'gateway';

/** The claims Pitwall adds to every access token (besides iss, aud, exp, sub). */
export interface PitwallTokenClaims {
  org: string;
  roles: Role[];
  entry?: EntryScope;
}

/** What a verified token says about its bearer. */
export interface VerifiedClaims extends PitwallTokenClaims {
  sub: string;
}

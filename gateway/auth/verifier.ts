import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { isRole, type EntryScope, type VerifiedClaims } from '../../oidc/claims.ts';
import { TokenRejectedError } from './errors.ts';

export interface TokenVerifierOptions {
  /** The identity provider's JWKS (fetched and cached; refetched for an unknown key id), or a fixed key set. */
  jwksUrl?: string | URL;
  jwks?: JSONWebKeySet;
  issuer: string;
  audience: string;
  /** Seconds of clock skew allowed on exp/nbf (default 5). */
  clockToleranceSec?: number;
  /** For tests: the current time. */
  now?: () => Date;
}

export interface TokenVerifier {
  /** The bearer's claims; rejects with TokenRejectedError (reason says which check failed). */
  verify(token: string | undefined): Promise<VerifiedClaims>;
  /** The same, with the token's `exp` (seconds since the epoch): for connections that must end when it passes. */
  verifyWithExpiry(token: string | undefined): Promise<{ claims: VerifiedClaims; expiresAt: number }>;
}

/** Checks an access token from Pitwall's identity provider: ES256 signature (JWKS), `at+jwt` type, issuer, audience, expiry. */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const keys = opts.jwks ? createLocalJWKSet(opts.jwks) : opts.jwksUrl ? createRemoteJWKSet(new URL(opts.jwksUrl)) : undefined;
  if (!keys) throw new TypeError('createTokenVerifier needs jwksUrl or jwks');
  const verifyWithExpiry = async (token: string | undefined) => {
    if (!token) throw new TokenRejectedError('missing', 'no access token');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ['ES256'],
        typ: 'at+jwt',
        clockTolerance: opts.clockToleranceSec ?? 5,
        requiredClaims: ['exp', 'sub'],
        ...(opts.now && { currentDate: opts.now() }),
      }));
    } catch (err) {
      throw rejection(err);
    }
    return { claims: claimsOf(payload), expiresAt: payload.exp! }; // exp is a required claim
  };
  return { verifyWithExpiry, verify: async (token) => (await verifyWithExpiry(token)).claims };
}

function rejection(err: unknown): TokenRejectedError {
  const because = (reason: ConstructorParameters<typeof TokenRejectedError>[0], message: string) => new TokenRejectedError(reason, message, { cause: err });
  if (err instanceof errors.JWTExpired) return because('expired', 'the access token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return because('issuer', 'the access token is from another issuer');
    if (err.claim === 'aud') return because('audience', 'the access token is for another audience');
    return because('claims', `the access token's ${err.claim} claim is not acceptable: ${err.reason}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return because('signature', 'the access token is not signed by this identity provider');
  }
  return because('malformed', `the access token is not a valid JWT (${err instanceof Error ? err.message : String(err)})`);
}

function claimsOf(payload: JWTPayload): VerifiedClaims {
  const { sub, org, roles, entry } = payload as JWTPayload & { org?: unknown; roles?: unknown; entry?: unknown };
  if (typeof sub !== 'string' || typeof org !== 'string' || !Array.isArray(roles) || !roles.every(isRole)) {
    throw new TokenRejectedError('claims', 'the access token has no organisation or roles');
  }
  const scope = entry as Partial<EntryScope> | undefined;
  if (entry !== undefined && (typeof scope?.event !== 'string' || typeof scope.number !== 'string')) {
    throw new TokenRejectedError('claims', 'the access token has a malformed entry claim');
  }
  return { sub, org, roles, ...(scope && { entry: { event: scope.event!, number: scope.number! } }) };
}

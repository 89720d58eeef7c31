import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';

export const TEST_ISSUER = 'http://127.0.0.1:1';

export interface TokenOptions {
  iss?: string;
  aud?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresInSec?: number;
}

/**
 * A test signing key and its public JWK: mints access tokens shaped like the identity provider's (ES256, `at+jwt`,
 * issuer, gateway audience, org and roles), for a verifier built on a local JWKS ({keys: [jwk]}).
 */
export async function createTestSigner(kid = 'test-key') {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = (claims: Record<string, unknown>, opts: TokenOptions = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ org: 'club', roles: ['race-control'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuer(opts.iss ?? TEST_ISSUER)
      .setAudience(opts.aud ?? GATEWAY_AUDIENCE)
      .setSubject('acc-1')
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (opts.expiresInSec ?? 3600))
      .sign(privateKey);
  };
  return { jwk, sign };
}

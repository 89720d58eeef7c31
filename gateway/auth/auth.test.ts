import { generateKeyPair, exportJWK, SignJWT, type JWK } from 'jose';
import t from 'tap';
import { GATEWAY_AUDIENCE, type VerifiedClaims } from '../../oidc/claims.ts';
import { authorize } from './authorize.ts';
import { AccessDeniedError, TokenRejectedError } from './errors.ts';
import { createTokenVerifier } from './verifier.ts';

const ISSUER = 'http://127.0.0.1:1';
const NOW = 1_750_000_000;

async function signer(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: number; typ?: string } = {}) =>
    new SignJWT({ org: 'club', roles: ['race-control'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid, typ: opts.typ ?? 'at+jwt' })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? GATEWAY_AUDIENCE)
      .setSubject('acc-1')
      .setIssuedAt(NOW - 10)
      .setExpirationTime(opts.exp ?? NOW + 3600)
      .sign(privateKey);
  return { jwk, sign };
}

t.test('verifier refusal matrix: each bad token has its own reason', async (t) => {
  const good = await signer('k1');
  const forger = await signer('k1'); // same kid, another key: a forged signature
  const stranger = await signer('k9'); // a key JWKS does not have
  const verifier = createTokenVerifier({ jwks: { keys: [good.jwk] }, issuer: ISSUER, audience: GATEWAY_AUDIENCE, now: () => new Date(NOW * 1000) });
  const refused = async (token: string | undefined, reason: string, message: RegExp) => {
    const err = await verifier.verify(token).then(() => undefined, (e: unknown) => e);
    t.type(err, TokenRejectedError, `${reason}: a TokenRejectedError`);
    t.equal((err as TokenRejectedError).reason, reason);
    t.match((err as Error).message, message);
  };
  t.same(await verifier.verify(await good.sign({})), { sub: 'acc-1', org: 'club', roles: ['race-control'] }, 'a good token is accepted');
  await refused(undefined, 'missing', /no access token/);
  await refused('', 'missing', /no access token/);
  await refused('not.a.jwt', 'malformed', /not a valid JWT/);
  await refused(await good.sign({}, { exp: NOW - 60 }), 'expired', /has expired/);
  await refused(await forger.sign({}), 'signature', /not signed by this identity provider/);
  await refused(await stranger.sign({}), 'signature', /not signed by this identity provider/);
  await refused(await good.sign({}, { iss: 'http://evil.example' }), 'issuer', /another issuer/);
  await refused(await good.sign({}, { aud: 'urn:other' }), 'audience', /another audience/);
  await refused(await good.sign({}, { typ: 'JWT' }), 'claims', /typ/);
  await refused(await good.sign({ roles: ['owner'] }), 'claims', /no organisation or roles/);
  await refused(await good.sign({ org: undefined }), 'claims', /no organisation or roles/);
});

t.test('authorize refusal matrix: organisation, role, entry', async (t) => {
  const official: VerifiedClaims = { sub: 'a', org: 'club', roles: ['race-control'] };
  const admin: VerifiedClaims = { sub: 'b', org: 'club', roles: ['admin'] };
  const rider: VerifiedClaims = { sub: 'c', org: 'club', roles: ['competitor'], entry: { event: 'summer-2025', number: '05' } };
  const denied = (claims: VerifiedClaims, need: Parameters<typeof authorize>[1], reason: string, message: RegExp) => {
    const err = (() => {
      try {
        authorize(claims, need);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.type(err, AccessDeniedError, `${reason}: an AccessDeniedError`);
    t.equal((err as AccessDeniedError).reason, reason);
    t.match((err as Error).message, message);
  };
  t.doesNotThrow(() => authorize(official, { org: 'club', role: 'race-control' }));
  t.doesNotThrow(() => authorize(official, { org: 'club', role: 'viewer' }), 'race control may view');
  t.doesNotThrow(() => authorize(admin, { org: 'club', role: 'race-control' }), 'an admin may do what race control does');
  t.doesNotThrow(() => authorize(rider, { org: 'club', role: 'competitor', entry: { event: 'summer-2025', number: '05' } }));
  denied(official, { org: 'other-club', role: 'race-control' }, 'organisation', /organisation club, not other-club/);
  denied(official, { org: 'club', role: 'admin' }, 'role', /role admin is needed/);
  denied({ ...official, roles: ['viewer'] }, { org: 'club', role: 'timing' }, 'role', /role timing is needed \(the token has viewer\)/);
  denied(admin, { org: 'club', role: 'competitor', entry: { event: 'summer-2025', number: '05' } }, 'role', /competitor/);
  denied(rider, { org: 'club', role: 'competitor', entry: { event: 'autumn-2025', number: '05' } }, 'entry', /summer-2025 #05, not autumn-2025 #05/);
  denied(rider, { org: 'club', role: 'competitor', entry: { event: 'summer-2025', number: '5' } }, 'entry', /not summer-2025 #5/);
  denied(rider, { org: 'club', role: 'viewer' }, 'role', /viewer/);
});

// The edge-device case of the refusal matrix (a device publishing to another track's or device's subjects) is NATS's
// own permission check, tested in engine/servers/nats.test.ts ('each role publishes and subscribes only its own
// subjects'); `pitwall device add` only calls registerEdgeDevice.

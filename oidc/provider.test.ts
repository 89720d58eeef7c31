import t from 'tap';
import { createTokenVerifier } from '../gateway/auth/verifier.ts';
import { startTestNats } from '../engine/testing/nats.ts';
import { GATEWAY_AUDIENCE } from './claims.ts';
import { registerServiceClient } from './clients.ts';
import { createBrowser } from './testing/http-client.ts';
import { clientCredentials, codeFlow } from './testing/flows.ts';
import { startTestIdentity } from './testing/identity.ts';

const ADMIN = { username: 'ada', password: 'correct horse battery' };

t.test('authorization code + PKCE (login form, consent) and client credentials; the gateway verifier accepts both', async (t) => {
  const nats = await startTestNats(t);
  const idp = await startTestIdentity(t, nats);
  await idp.accounts.init({ org: { id: 'club', name: 'Club' }, ...ADMIN });
  const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });

  const person = await codeFlow(idp.issuer, createBrowser(), ADMIN);
  t.same(person.pages, ['login', 'consent'], 'the login form, then the consent form');
  const claims = await verifier.verify(person.accessToken);
  const account = await idp.accounts.findByUsername('ada');
  t.same(claims, { sub: account!.id, org: 'club', roles: ['admin'] });

  const agent = await registerServiceClient(idp.store, { clientId: 'timing-box', org: 'club', roles: ['timing'] });
  const serviceClaims = await verifier.verify(await clientCredentials(idp.issuer, agent));
  t.same(serviceClaims, { sub: 'timing-box', org: 'club', roles: ['timing'] });
});

t.test('a wrong password shows the form again with one message and signs nobody in', async (t) => {
  const nats = await startTestNats(t);
  const idp = await startTestIdentity(t, nats);
  await idp.accounts.init({ org: { id: 'club', name: 'Club' }, ...ADMIN });
  await t.rejects(codeFlow(idp.issuer, createBrowser(), { username: 'ada', password: 'wrong password' }), /answered 401.*Wrong username or password/s);
  await t.rejects(codeFlow(idp.issuer, createBrowser(), { username: 'nobody', password: 'wrong password' }), /answered 401.*Wrong username or password/s);
});

t.test('a restart on the same KV logs nobody out and loses no account or key', async (t) => {
  const nats = await startTestNats(t);
  const first = await startTestIdentity(t, nats);
  await first.accounts.init({ org: { id: 'club', name: 'Club' }, ...ADMIN });
  const browser = createBrowser();
  const before = await codeFlow(first.issuer, browser, ADMIN);
  const jwksBefore = await (await fetch(first.jwksUrl)).json();
  await first.stop();

  const second = await startTestIdentity(t, nats, { port: first.port });
  t.equal(second.issuer, first.issuer);
  t.same(await (await fetch(second.jwksUrl)).json(), jwksBefore, 'the same signing key is published');
  const verifier = createTokenVerifier({ jwksUrl: second.jwksUrl, issuer: second.issuer, audience: GATEWAY_AUDIENCE });
  t.equal((await verifier.verify(before.accessToken)).org, 'club', 'the old access token still verifies');
  const again = await codeFlow(second.issuer, browser, ADMIN);
  t.same(again.pages, [], 'the login session and the consent survived: no form shown');
  t.equal((await verifier.verify(again.accessToken)).sub, (await verifier.verify(before.accessToken)).sub);
  const fresh = await codeFlow(second.issuer, createBrowser(), ADMIN);
  t.same(fresh.pages, ['login', 'consent'], 'the account still logs in from a new browser');
});

t.test('key rotation: the new key signs, the old one stays on JWKS, so tokens it signed still verify', async (t) => {
  const nats = await startTestNats(t);
  const idp = await startTestIdentity(t, nats);
  await idp.accounts.init({ org: { id: 'club', name: 'Club' }, ...ADMIN });
  const agent = await registerServiceClient(idp.store, { clientId: 'timing-box', org: 'club', roles: ['timing'] });
  const old = await clientCredentials(idp.issuer, agent);
  const keys = await idp.rotateSigningKey();
  t.equal(keys.signing.length, 2);
  const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: { kid: string }[] };
  t.same(jwks.keys.map((k) => k.kid), keys.signing.map((k) => k.kid), 'both keys published, newest first');
  const fresh = await clientCredentials(idp.issuer, agent);
  const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  t.equal(kidOf(fresh), keys.signing[0]!.kid, 'the new key signs');
  t.equal(kidOf(old), keys.signing[1]!.kid);
  const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });
  t.equal((await verifier.verify(old)).sub, 'timing-box');
  t.equal((await verifier.verify(fresh)).sub, 'timing-box');
});

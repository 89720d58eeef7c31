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

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { GATEWAY_AUDIENCE } from '../../../oidc/claims.ts';
import { createBrowser } from '../../../oidc/testing/http-client.ts';
import { codeFlow } from '../../../oidc/testing/flows.ts';
import { startTestIdentity } from '../../../oidc/testing/identity.ts';
import { createTokenVerifier } from '../../../gateway/auth/verifier.ts';
import { stackFile } from '../../stack.ts';
import { runPitwall } from '../../testing/cli.ts';
import { startTestNats } from '../../testing/nats.ts';

t.test('pitwall admin init, user add, user role, device add and rider token against a local stack', async (t) => {
  const nats = await startTestNats(t);
  const idp = await startTestIdentity(t, nats);
  const file = stackFile(nats.dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ nats: nats.server.url, natsPid: nats.server.pid, identity: idp.url }));
  const env = { ...process.env, PITWALL_DATA_DIR: nats.dataDir };
  const pitwall = async (...args: string[]) => {
    const r = await runPitwall(args, env);
    t.equal(r.code, 0, `pitwall ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const passwordIn = (stdout: string) => /^password (\S+)$/m.exec(stdout)?.[1] ?? '';
  const verifier = createTokenVerifier({ jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: GATEWAY_AUDIENCE });

  const init = await pitwall('admin', 'init', '--org', 'club', '--org-name', 'Club', '--user', 'ada');
  t.match(init, /admin ada \(club: admin\)/);
  const again = await runPitwall(['admin', 'init', '--org', 'club', '--user', 'eve'], env);
  t.equal(again.code, 1, 'a second init is refused');
  t.match(again.stderr, /has its first admin already/);
  const ada = await codeFlow(idp.issuer, createBrowser(), { username: 'ada', password: passwordIn(init) });
  t.same((await verifier.verify(ada.accessToken)).roles, ['admin']);

  const bob = await pitwall('admin', 'user', 'add', 'bob', '--role', 'viewer');
  await pitwall('admin', 'user', 'role', 'bob', '--role', 'race-control', '--role', 'timing');
  const bobToken = await codeFlow(idp.issuer, createBrowser(), { username: 'bob', password: passwordIn(bob) });
  t.same(await verifier.verify(bobToken.accessToken), { sub: (await idp.accounts.findByUsername('bob'))!.id, org: 'club', roles: ['race-control', 'timing'] });
  const bad = await runPitwall(['admin', 'user', 'add', 'carl', '--role', 'owner'], env);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--role must be one of/);

  const device = await pitwall('device', 'add', 'sebring', 'loop-1');
  const [, user, pass] = /^user (\S+)\npassword (\S+)$/m.exec(device) ?? [];
  t.equal(user, 'edge/sebring/loop-1');
  const nc = await nats.connectWith({ user: user!, pass: pass! });
  await nc.flush();

  const rider = await pitwall('rider', 'token', 'summer-2025', '05');
  const token = /^token (\S+)$/m.exec(rider)?.[1];
  t.match(rider, /^traccar-device-key [0-9a-f]{16}$/m);
  t.match(rider, /▄|█/, 'QR codes are drawn');
  const claims = await verifier.verify(token);
  t.same({ org: claims.org, roles: claims.roles, entry: claims.entry }, { org: 'club', roles: ['competitor'], entry: { event: 'summer-2025', number: '05' } });
});

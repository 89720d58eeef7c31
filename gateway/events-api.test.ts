import { Kvm } from '@nats-io/kv';
import t from 'tap';
import type { us_listen_socket, us_socket } from 'uWebSockets.js';
import { readDeclarationFile } from '../engine/declarations/read.ts';
import { getDeclaration } from '../engine/declarations/store.ts';
import { DEMO_EVENT_FILE } from '../engine/demo.ts';
import { startTestNats } from '../engine/testing/nats.ts';
import { authorize, isLoopback, registerEventsApi } from './events-api.ts';
import { startTestGateway } from './testing/gateway.ts';
import { requireNativeUws } from './uws.ts';

const nats = await startTestNats(t);
const demo = readDeclarationFile(DEMO_EVENT_FILE);
const post = (url: string, body: string) => fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

t.test('POST /api/events: 201 stored, 400 with every problem, 413 over the limit', async (t) => {
  const gw = await startTestGateway(t, await nats.connectAs('gateway'));
  const kv = await new Kvm(await nats.connectAs('admin')).open('events');

  const created = await post(gw.url, JSON.stringify(demo));
  t.equal(created.status, 201);
  const body = await created.json();
  t.match(body, { track: 'demo-park', event: 'demo-day', revision: Number, changes: { sessions: { added: ['practice', 'race-1', 'race-2'] } } });
  t.same(await getDeclaration(kv, 'demo-park', 'demo-day'), demo, 'stored in KV events');

  const updated = await post(gw.url, JSON.stringify({ ...demo, entries: demo.entries.slice(1) }));
  t.equal(updated.status, 201);
  t.same((await updated.json()).changes.entries, { added: [], removed: ['34'], changed: [] }, 'what changed against the stored version');

  const bad = await post(gw.url, JSON.stringify({ ...demo, track: 'Demo Park', entries: [{ ...demo.entries[0], class: 'gt9' }] }));
  t.equal(bad.status, 400);
  t.same(await bad.json(), {
    error: 'invalid event declaration',
    problems: ['track must be a slug [a-z0-9-]+', "entries[0].class 'gt9' is not a declared class"],
  });
  const notJson = await post(gw.url, '{"track":');
  t.equal(notJson.status, 400);
  t.match((await notJson.json()).problems[0], /^not valid JSON: /);

  const huge = JSON.stringify({ ...demo, name: 'x'.repeat(1024 * 1024) });
  const tooLarge = await post(gw.url, huge);
  t.equal(tooLarge.status, 413);
  t.match(await tooLarge.json(), { error: /over 1048576 bytes/ });
  t.equal((await getDeclaration(kv, 'demo-park', 'demo-day'))?.name, demo.name, 'nothing refused was stored');
});

t.test('the authorization hook: loopback only until sign-in exists; a refusal is a 403', async (t) => {
  for (const address of ['127.0.0.1', '127.0.0.53', '::1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1']) {
    t.ok(isLoopback(address), `${address} is loopback`);
  }
  for (const address of ['10.0.0.1', '192.168.1.127', '::ffff:10.0.0.1', '2001:db8::1', '']) {
    t.notOk(authorize({ remoteAddress: address, authorization: '' }), `${address || 'no address'} is refused`);
  }
  t.ok(authorize({ remoteAddress: '127.0.0.1', authorization: '' }));

  const uWS = requireNativeUws();
  const app = uWS.App();
  const seen: string[] = [];
  registerEventsApi(app, { nc: await nats.connectAs('gateway'), log: (l) => t.comment(l), authorize: (req) => (seen.push(req.remoteAddress), false) });
  const socket = await new Promise<us_listen_socket>((resolve, reject) => app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen')))));
  t.teardown(() => uWS.us_listen_socket_close(socket));
  const res = await post(`http://127.0.0.1:${uWS.us_socket_local_port(socket as us_socket)}`, JSON.stringify(demo));
  t.equal(res.status, 403);
  t.match(seen[0], /127\.0\.0\.1|::1|0001$/, 'the hook sees the remote address');
});

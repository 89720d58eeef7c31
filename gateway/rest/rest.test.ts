import { decode } from '@msgpack/msgpack';
import { Kvm } from '@nats-io/kv';
import { Ajv } from 'ajv';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { ensureSchema } from '../../engine/clickhouse/schema.ts';
import { useTestClickHouse } from '../../engine/testing/clickhouse.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { startFakeEngine } from '../testing/fake-engine.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { sampleView } from '../testing/race-views.ts';
import { waitFor } from '../testing/wait.ts';

// Every path and method of /openapi.json, called with its documented examples, answers 200 with a body valid
// against the document's schema, in JSON and in MessagePack; the limits answer 413 and 429.

const nats = await startTestNats(t);
const engineNc = await nats.connectAs('engine');
const gatewayNc = await nats.connectAs('gateway');

const declaration = (event: string, extra: Partial<EventDeclaration> = {}): EventDeclaration => ({
  track: 'sebring', event, name: 'Test meeting',
  classes: [{ id: 'gt3', name: 'GT3' }, { id: 'gt4', name: 'GT4' }],
  sessions: [{ id: 'race-1', name: 'Race 1', type: 'race', finish: { laps: 20 } }],
  entries: [{ number: '3', name: 'Driver A', class: 'gt3', transponder: '1000011', team: 'Blue' }, { number: '05', name: 'Driver C', class: 'gt4', transponder: '1000012' }],
  ...extra,
});
const kv = await new Kvm(await nats.connectAs('admin')).open('events');
await kv.put('sebring.test-meeting', JSON.stringify(declaration('test-meeting')));
// its own session id: a private declaration with race-1 would (rightly) close race-1 to anonymous callers while not live
await kv.put('sebring.secret-test', JSON.stringify(declaration('secret-test', { private: true, sessions: [{ id: 'secret-1', name: 'Secret', type: 'race', finish: { laps: 5 } }] })));

const engine = await startFakeEngine(engineNc, { view: sampleView({ track: 'sebring', session: 'race-1', lapsToGo: 20 }), seq: 42 });
t.teardown(() => engine.stop());

type Operation = { security?: object[]; parameters?: { name: string; in: string; example: string }[]; responses: Record<string, { content?: Record<string, { schema: unknown; example?: unknown }> }> };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: unknown };

/** ajv over the document: `#/components/…` references resolve within it. */
function validatorFor(doc: OpenApi) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  return (schema: unknown, value: unknown) => {
    const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}

t.test('every operation of /openapi.json, with its examples, answers as documented', async (t) => {
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  await ch.insert('laps', [1, 2].map((lap) => ({
    track: 'sebring', event: 'test-meeting', session: 'race-1', car: '3', class: 'gt3', lap, lap_us: 92_000_000 + lap * 1500,
    race_us: lap * 92_001_000, crossing_us: 1_750_000_000_000_000 + lap, crossing_time: 1_750_000_000, position: 1, flag: 'green', pit: 0,
  })));
  const gw = await startTestGateway(t, gatewayNc, {}, { clickhouse: ch });
  await engine.health();
  await waitFor(async () => ((await (await fetch(`${gw.url}/api/sessions`)).json()) as { sessions: unknown[] }).sessions.length === 1, 'the live session');

  const doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as OpenApi;
  const check = validatorFor(doc);
  let calls = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const url = (op.parameters ?? []).filter((p) => p.in === 'path').reduce((u, p) => u.replace(`{${p.name}}`, encodeURIComponent(p.example)), path);
      const csv = op.responses['200']?.content?.['text/csv'];
      if (csv) { // a download for spreadsheets: its header line is the documented one
        const res = await fetch(`${gw.url}${url}`);
        t.equal(res.status, 200, `${method} ${url}: 200`);
        t.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8', `${method} ${url}: CSV`);
        t.equal((await res.text()).split('\r\n')[0], String(csv.example).split('\r\n')[0], `${method} ${url}: the documented columns`);
        calls++;
        continue;
      }
      const ok = op.responses['200']?.content?.['application/json'];
      t.ok(ok?.example, `${method} ${path}: documents an example`);
      t.same(check(ok?.schema, ok?.example), [], `${method} ${path}: its example fits its schema`);
      // Race control's operations need a token of the event's organisation: gateway/race-control/race-control.test.ts calls them.
      if (op.security && !op.security.some((s) => Object.keys(s).length === 0)) continue;

      const res = await fetch(`${gw.url}${url}`, { method: method.toUpperCase() });
      const body: unknown = await res.json();
      t.equal(res.status, 200, `${method} ${url}: 200${res.status === 200 ? '' : ` (${JSON.stringify(body)})`}`);
      t.match(res.headers.get('content-type'), /application\/json/, `${method} ${url}: JSON by default`);
      t.same(check(ok?.schema, body), [], `${method} ${url}: the response fits the schema`);

      const packed = await fetch(`${gw.url}${url}`, { method: method.toUpperCase(), headers: { accept: 'application/msgpack' } });
      t.equal(packed.headers.get('content-type'), 'application/msgpack', `${method} ${url}: MessagePack when asked`);
      const unpacked = decode(new Uint8Array(await packed.arrayBuffer()));
      t.same(check(ok?.schema, unpacked), [], `${method} ${url}: the MessagePack response fits the schema`);
      if (!path.startsWith('/healthz/ready')) t.same(unpacked, body, `${method} ${url}: the same value in both`);
      calls++;
    }
  }
  t.ok(calls >= 10, `${calls} operations called`);

  const standings = (await (await fetch(`${gw.url}/api/sessions/sebring/race-1/standings`)).json()) as { seq: number; standings: { number: string }[] };
  t.equal(standings.seq, 42, "the engine's seq");
  t.same(standings.standings.map((r) => r.number), engine.view().rows.map((r) => r.number), "the engine's order");
  const laps = (await (await fetch(`${gw.url}/api/sessions/sebring/race-1/cars/3/laps`)).json()) as { laps: { lap: number; lapMs: number }[] };
  t.same(laps.laps.map((l) => [l.lap, l.lapMs]), [[1, 92001.5], [2, 92003]], 'laps from ClickHouse, in ms');
  const events = (await (await fetch(`${gw.url}/api/events`)).json()) as { events: { event: string; sessions: { state?: string }[] }[] };
  t.same(events.events.map((e) => e.event), ['test-meeting'], 'private events are not listed');
  t.equal(events.events[0]?.sessions[0]?.state, 'running', 'a live session carries its state');
  const event = await (await fetch(`${gw.url}/api/events/sebring/test-meeting`)).text();
  t.notMatch(event, /1000011/, 'transponders are not published');
});

t.test('limits, errors and a gateway without ClickHouse', async (t) => {
  const gw = await startTestGateway(t, gatewayNc, { rest: { maxBodyBytes: 1024, rateLimit: { burst: 5, perSecond: 0.2 } } });

  const big = await fetch(`${gw.url}/api/sessions`, { method: 'POST', body: 'x'.repeat(2048), headers: { 'content-type': 'application/json' } });
  t.equal(big.status, 413, 'oversize body: 413');
  t.same(await big.json(), { error: { code: 'body_too_large', message: 'request body of 2048 bytes is over the limit of 1024 bytes' } }, 'with a message');

  const laps = await fetch(`${gw.url}/api/sessions/sebring/race-1/cars/3/laps`);
  t.equal(laps.status, 503, 'laps without ClickHouse: 503');
  t.match(await laps.json(), { error: { code: 'no_lap_store', message: /no ClickHouse access/ } }, 'saying so');

  const unknown = await fetch(`${gw.url}/api/sessions/sebring/nope/standings`);
  t.equal(unknown.status, 404, 'a session no engine runs: 404');
  t.match(await unknown.json(), { error: { code: 'unknown_session' } });
  const bad = await fetch(`${gw.url}/api/sessions/Sebring/race-1/results`);
  t.equal(bad.status, 400, 'a malformed id: 400');
  await bad.arrayBuffer();
  const missing = await fetch(`${gw.url}/api/nothing`);
  t.equal(missing.status, 404, 'an unknown path: 404');
  t.match(await missing.json(), { error: { message: /openapi\.json/ } });

  // burst of 5 taken above; the next is over the rate.
  const over = await fetch(`${gw.url}/api/sessions`);
  t.equal(over.status, 429, 'over the rate: 429');
  t.equal(over.headers.get('retry-after'), '5', 'Retry-After in seconds');
  t.match(await over.json(), { error: { code: 'rate_limited', message: /try again in 5 s/ } });
  const live = await fetch(`${gw.url}/healthz/live`);
  t.equal(live.status, 200, 'health probes are not rate limited');
  t.same(await live.json(), { status: 'live' });
});

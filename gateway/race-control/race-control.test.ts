import t from 'tap';
import type { AuditRecord, CommandReply } from '../../actors/contracts/race-control.ts';
import { Registry } from 'prom-client';
import { ensureSchema } from '../../engine/clickhouse/schema.ts';
import { startRaceArchive } from '../../engine/race-archive.ts';
import { useTestClickHouse } from '../../engine/testing/clickhouse.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import type { CommandReplyFrame } from '../protocol.ts';
import { openFrameSocket } from '../testing/frame-socket.ts';
import { startTestClient, startTestGateway } from '../testing/gateway.ts';
import { RC_REF, startRaceControlStack } from '../testing/race-control-stack.ts';
import { createTestSigner, TEST_ISSUER } from '../testing/tokens.ts';

// Issue 11 end to end without a browser: REST and WebSocket commands → engine → RACE → view; every refusal reason of
// the issue with nothing changed; the audit of every command; the replay of RACE gives the live standings.
const stack = await startRaceControlStack(t);
const signer = await createTestSigner('k1');
const verifier = createTokenVerifier({ jwks: { keys: [signer.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await stack.nats.connectAs('gateway'), {}, { verifier });

const official = await signer.sign({ org: 'club', roles: ['race-control'] }); // subject acc-1
const viewer = await signer.sign({ org: 'club', roles: ['viewer'] });
const stranger = await signer.sign({ org: 'other-club', roles: ['race-control'] });
const admin = await signer.sign({ org: 'club', roles: ['admin'] });
const base = `${gw.url}/api/sessions/${RC_REF.track}/${RC_REF.session}`;

/** Every engine decision a caller was told (command id → outcome): the audit must list exactly these. */
const decided = new Map<string, string>();
const command = async (token: string | undefined, verb: string, body: object = {}) => {
  const res = await fetch(`${base}/commands/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as CommandReply & { error?: { code: string; message: string } };
  if (answer.id) decided.set(answer.id, `${verb}:${answer.outcome}`);
  return { status: res.status, body: answer };
};
const view = () => stack.host.published().view!;
/** The session's inputs in RACE (audit records left out): a refused command must not add any. */
const inputCount = async () => (await readRaceEvents(await stack.nats.connectAs('admin'), RC_REF.track, RC_REF.session)).inputs.length;

/** A refused command: its status and reason, and RACE holds no new session input. */
const refused = async (token: string | undefined, verb: string, body: object, status: number, code: string, reason: RegExp) => {
  const before = await inputCount();
  const answer = await command(token, verb, body);
  t.equal(answer.status, status, `${verb} ${JSON.stringify(body)}: HTTP ${status}`);
  t.match(answer.body, { outcome: 'refused', code, reason }, `${verb}: refused as ${code}`);
  t.equal(await inputCount(), before, `${verb}: nothing written to the session`);
};

t.test('commands need a token, and any verified caller reaches the engine, which refuses by role and organisation', async (t) => {
  const noToken = await command(undefined, 'start');
  t.equal(noToken.status, 401);
  t.match(noToken.body.error, { code: 'invalid_token', message: /missing/ });
  await refused(viewer, 'start', {}, 403, 'unauthorized', /start needs the role race-control \(the token has viewer\)/);
  await refused(viewer, 'note', { text: 'hello' }, 403, 'unauthorized', /role race-control/);
  await refused(stranger, 'start', {}, 403, 'unauthorized', /organisation other-club, not club/);
  t.equal(view().state, 'open', 'the session is still waiting for its start');
});

t.test('start, flags, penalties, corrections and notes change the view; forbidden moves are refused with the reason', async (t) => {
  t.match(await command(official, 'start', { why: 'lights out' }), { status: 200, body: { outcome: 'accepted' } });
  await waitFor('the session running', () => view().state === 'running');
  for (const lap of [1, 2, 3]) await stack.passing('7', lap);
  await stack.passing('12', 1);
  await waitFor('car 7 on 3 laps', () => view().rows.find((r) => r.number === '7')?.laps === 3);

  t.match(await command(official, 'flag', { flag: 'yellow', sector: 2, why: 'spin at turn 4' }), { status: 200 });
  await waitFor('local yellow in sector 2', () => view().flag === 'yellow' && view().sectors?.join() === '2');
  t.match(await command(official, 'flag', { flag: 'fcy' }), { status: 200 });
  await waitFor('full-course yellow', () => view().flag === 'fcy');
  t.equal(view().sectors, undefined, 'leaving the local yellow clears its sectors');
  t.match(await command(official, 'flag', { flag: 'white' }), { status: 200 });
  await waitFor('white flag', () => view().flag === 'white');
  await refused(official, 'flag', { flag: 'green' }, 409, 'not_allowed', /does not allow white → green/);
  t.equal(view().flag, 'white', 'the flag is unchanged');
  await refused(official, 'flag', { flag: 'purple' }, 400, 'bad_request', /flag: one of green/);

  await refused(official, 'penalty', { car: '99', type: 'time', timeMs: 5000 }, 422, 'unknown_car', /car #99 is not entered/);
  await refused(official, 'penalty', { car: '7', type: 'time' }, 400, 'bad_request', /timeMs/);
  t.match(await command(official, 'penalty', { car: '7', type: 'time', timeMs: 5000, why: 'jump start' }), { status: 200 });
  t.match(await command(official, 'penalty', { car: '12', type: 'drive-through', why: 'pit speed' }), { status: 200 });
  t.match(await command(official, 'correction', { type: 'remove-passing', car: '7', why: 'double read' }), { status: 200 });
  await refused(official, 'correction', { type: 'change-class', car: '33', class: 'f1' }, 422, 'unknown_class', /class f1 is not declared/);
  t.match(await command(official, 'correction', { type: 'change-class', car: '33', class: 'gt' }), { status: 200 });
  t.match(await command(official, 'correction', { type: 'fix-number', car: '7', to: '33', why: 'transponder swap' }), { status: 200 });
  await refused(official, 'correction', { type: 'remove-passing', car: '12', raceMs: 1 }, 409, 'not_allowed', /car #12 has no passing within 1 ms of race time 1 ms/);
  await refused(official, 'correction', { type: 'add-passing', car: '12', raceMs: 86_400_000 }, 409, 'not_allowed', /raceMs: 86400000 is after the session clock/);
  await refused(official, 'correction', { type: 'add-passing', car: '12', raceMs: -5 }, 400, 'bad_request', /raceMs: the passing's race time/);
  t.match(await command(official, 'note', { text: 'Stewards meet car 7 after the race' }), { status: 200 });

  const { view: live, replayed } = await stack.settled();
  t.same(live, replayed, 'the standings replayed from RACE are the live ones');
  const car = (n: string) => live.rows.find((r) => r.number === n)!;
  t.equal(car('7').laps, 1, 'car 7: 3 laps − a removed passing − a passing given to #33');
  t.equal(car('7').penaltyUs, 5_000_000, 'car 7: the time penalty');
  t.equal(car('33').laps, 1, 'car 33 got the passing');
  t.equal(car('33').class, 'gt', 'car 33 moved to GT');
  t.same(live.penalties?.map((p) => [p.car, p.type, p.timeUs ?? null, p.why]), [['7', 'time', 5_000_000, 'jump start'], ['12', 'drive-through', null, 'pit speed']]);
  const texts = live.controlLog?.map((e) => e.text) ?? [];
  t.equal(texts.length, 10);
  t.match(texts, [
    'Session started', 'Local yellow in sector 2', 'Full-course yellow', 'White flag (last lap)', '#7: time penalty +5 s',
    '#12: drive-through', /^#7: passing removed at \d+:\d\d\.\d{3}$/, '#33: moved to class gt', /^#7: passing at \d+:\d\d\.\d{3} credited to #33$/,
    'Stewards meet car 7 after the race',
  ]);
  t.equal(car('7').lastLapUs, car('7').raceUs, 'car 7: its one lap left is timed from the start');
  t.ok(live.controlLog!.every((e) => e.by === 'acc-1'), 'every entry says who');

  const log = (await (await fetch(`${base}/control-log`, { headers: { authorization: `Bearer ${viewer}` } })).json()) as { entries: { text: string; atMs: number }[] };
  t.equal(log.entries.length, 10, 'GET …/control-log lists them (a viewer of the club may read it)');
  t.type(log.entries[0]!.atMs, 'number', 'times in ms over REST');
});

t.test('a WebSocket command after an auth frame', async (t) => {
  const { frames, send } = await openFrameSocket(t, gw.wsUrl);
  const reply = async (ref: string) => {
    const frame = await waitFor(`the reply to ${ref}`, () => frames.find((f): f is CommandReplyFrame => f.type === 'command' && f.ref === ref));
    if (frame.id) decided.set(frame.id, `${frame.verb}:${frame.outcome}`);
    return frame;
  };

  send({ type: 'command', ref: 'a', ...RC_REF, verb: 'note', args: { text: 'too early' } });
  t.match(await reply('a'), { outcome: 'unavailable', code: 'auth_required' }, 'no command before an auth frame');
  send({ type: 'auth', token: official });
  send({ type: 'command', ref: 'b', track: RC_REF.track, session: RC_REF.session, verb: 'penalty', args: { car: '12', type: 'warning' }, why: 'track limits' });
  t.match(await reply('b'), { outcome: 'accepted', verb: 'penalty' });
  send({ type: 'command', ref: 'c', track: RC_REF.track, session: 'race-9', verb: 'note', args: { text: 'x' } });
  t.match(await reply('c'), { outcome: 'unavailable', code: 'unknown_session' });

  // The client library's command(): the same frames, the reply as a promise.
  const client = startTestClient(t, gw.wsUrl);
  await waitFor('the client connected', () => client.statuses.some((s) => s.kind === 'open'));
  client.auth(official);
  const answer = await client.command(RC_REF.track, RC_REF.session, 'note', { text: 'from the client library' }, 'testing');
  t.match(answer, { outcome: 'accepted', verb: 'note' });
  if (answer.id) decided.set(answer.id, `note:${answer.outcome}`);
});

t.test('an official session: corrections need admin', async (t) => {
  t.match(await command(official, 'finish'), { status: 200 });
  t.match(await command(official, 'official', { why: 'results signed' }), { status: 200 });
  await refused(official, 'correction', { type: 'add-passing', car: '12' }, 403, 'unauthorized', /the session is official: correction needs the role admin/);
  await refused(official, 'penalty', { car: '12', type: 'time', timeMs: 1000 }, 403, 'unauthorized', /the session is official/);
  t.match(await command(admin, 'correction', { type: 'add-passing', car: '12', why: 'missed by the loop' }), { status: 200 });
  await refused(official, 'start', {}, 409, 'not_allowed', /the session is official: "start" is not a move from there/);
  const { view: live, replayed } = await stack.settled();
  t.same(live, replayed);
  t.equal(live.rows.find((r) => r.number === '12')!.laps, 2);
});

t.test('bad input: a clear refusal, counted, and nothing reaches the session', async (t) => {
  const before = await inputCount();
  const post = (path: string, body: string) => fetch(`${base}/commands/${path}`, { method: 'POST', headers: { authorization: `Bearer ${official}` }, body });
  const notJson = await post('note', '{"text": ');
  t.equal(notJson.status, 400);
  t.match(await notJson.json(), { error: { code: 'bad_request', message: /not JSON/ } });
  t.match(await (await post('No_Such', '{}')).json(), { error: { code: 'bad_request', message: /verb must be/ } });
  t.match(await command(official, 'rewind', {}), { status: 400, body: { outcome: 'refused', code: 'bad_request', reason: 'unknown verb rewind' } });

  // Straight onto NATS (only the gateway may publish cmd.>): the engine answers and counts it, and goes on.
  const nc = await stack.nats.connectAs('gateway');
  const reply = await nc.request(`cmd.${RC_REF.track}.${RC_REF.session}.note`, 'garbage', { timeout: 5000 });
  t.match(reply.json(), { outcome: 'refused', code: 'bad_request', reason: 'the command is not JSON' });
  const counted = await stack.registry.getSingleMetric('pitwall_input_errors_total')?.get();
  t.equal(counted?.values.find((v) => v.labels.kind === 'bad_command')?.value, 1, 'counted as bad_command');
  t.equal(await inputCount(), before, 'nothing written to the session');
});

t.test('the audit lists every command with who, what, when and the outcome', async (t) => {
  const get = (token: string) => fetch(`${base}/audit`, { headers: { authorization: `Bearer ${token}` } });
  t.equal((await get(viewer)).status, 403, 'a viewer may not read the audit');
  t.equal((await get(stranger)).status, 403, 'nor another organisation');
  const res = await get(official);
  t.equal(res.status, 200);
  const { commands } = (await res.json()) as { commands: AuditRecord[] };
  // Every command an engine decided, in order; those without a token, before an auth frame or for a session no engine
  // runs never reached one (they were answered by the gateway).
  t.same(new Map(commands.map((c) => [c.id, `${c.verb}:${c.outcome.outcome}`])), decided, `the ${decided.size} decided commands, each with its outcome`);
  t.same(commands.slice(0, 4).map((c) => `${c.verb}:${c.outcome.outcome}:${c.caller.org}/${c.caller.roles.join('+')}`),
    ['start:refused:club/viewer', 'note:refused:club/viewer', 'start:refused:other-club/race-control', 'start:accepted:club/race-control']);
  t.equal(commands.filter((c) => c.outcome.outcome === 'refused').length, 15, 'refused ones too (the unknown verb included)');
  t.ok(commands.every((c) => c.id && c.atMs > 0 && c.caller.sub && c.via), 'each has an id, a time, a caller and a channel');
  t.match(commands.find((c) => c.via === 'ws' && c.verb === 'penalty'), { why: 'track limits', outcome: { outcome: 'accepted' } });
  t.match(commands.find((c) => c.outcome.outcome === 'refused' && c.verb === 'flag'), { args: { flag: 'green' }, outcome: { code: 'not_allowed', reason: /white → green/ } });
});

t.test('the audit in ClickHouse: race_events rows of kind audit, one per decided command', async (t) => {
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const archive = await startRaceArchive({ nc: await stack.nats.connectAs('engine'), clickhouse: ch, registry: new Registry(), log: (l) => t.comment(l) }, { maxWaitMs: 200 });
  t.teardown(() => archive.stop());
  const query = `SELECT visitParamExtractString(payload, 'id') AS id, visitParamExtractString(payload, 'verb') AS verb,
    visitParamExtractString(visitParamExtractRaw(payload, 'outcome'), 'outcome') AS outcome,
    visitParamExtractString(visitParamExtractRaw(payload, 'caller'), 'sub') AS sub
    FROM race_events FINAL WHERE track = '${RC_REF.track}' AND session = '${RC_REF.session}' AND kind = 'audit' ORDER BY stream_seq`;
  const rows = await waitFor('every audit record in ClickHouse', async () => {
    const found = await ch.rows<{ id: string; verb: string; outcome: string; sub: string }>(query);
    return found.length === decided.size ? found : undefined;
  });
  t.same(new Map(rows.map((r) => [r.id, `${r.verb}:${r.outcome}`])), decided, 'the same commands and outcomes as the callers were told');
  t.ok(rows.every((r) => r.sub === 'acc-1'), 'with who');
});

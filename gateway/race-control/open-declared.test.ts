import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type EdgePassing } from '../../actors/contracts/events.ts';
import type { AuditRecord, CommandReply } from '../../actors/contracts/race-control.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { foldSession } from '../../actors/session-actor.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startEngine } from '../../engine/engine.ts';
import { OPEN_SESSIONS_KEY, type OpenSessionRef } from '../../engine/ingest.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import type { CommandReplyFrame } from '../protocol.ts';
import { openFrameSocket } from '../testing/frame-socket.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { createTestSigner, TEST_ISSUER } from '../testing/tokens.ts';

// A declared session that no source opens (a race timed by hand or from riders' phones): race control opens, starts
// and finishes it over REST and WebSocket, through a real NATS, engine and gateway. A refused caller creates nothing.
const DECLARATION: EventDeclaration = {
  track: 'hill-park', event: 'club-night', name: 'Club night', org: 'club',
  classes: [{ id: 'open', name: 'Open' }],
  sessions: [
    { id: 'race-1', name: 'Race 1', type: 'race', finish: { laps: 3 } },
    { id: 'race-2', name: 'Race 2', type: 'race', finish: { laps: 3 } },
  ],
  entries: [
    { number: '7', name: 'Ada Lovelace', class: 'open', transponder: 't7' },
    { number: '12', name: 'Grace Hopper', class: 'open', transponder: 't12' },
  ],
};
const { track } = DECLARATION;

const nats = await startTestNats(t);
const admin = await nats.connectAs('admin');
await putDeclaration(await new Kvm(admin).open('events'), DECLARATION);
const registry = new Registry();
const startNode = async (node: string) => startEngine({ nc: await nats.connectAs('engine'), registry, log: (l) => t.comment(l) }, { node });
let engine = await startNode('test');
t.teardown(() => engine.stop());
const signer = await createTestSigner('k1');
const verifier = createTokenVerifier({ jwks: { keys: [signer.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
const gw = await startTestGateway(t, await nats.connectAs('gateway'), {}, { verifier });

const director = await signer.sign({ org: 'club', roles: ['race-control'] }); // subject acc-1
const viewer = await signer.sign({ org: 'club', roles: ['viewer'] });
const competitor = await signer.sign({ org: 'club', roles: ['competitor'] });
const stranger = await signer.sign({ org: 'other-club', roles: ['race-control'] });

// Every request on `cmd._open.>` (the engine running ingest is asked only when no host answers).
const openRequests: string[] = [];
admin.subscribe(subjects.openSessions(), { callback: (err, msg) => void (err || openRequests.push(msg.subject)) });
await admin.flush();

const command = async (session: string, token: string, verb: string, body: object = {}) => {
  const res = await fetch(`${gw.url}/api/sessions/${track}/${session}/commands/${verb}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as CommandReply & { error?: { code: string; message: string } } };
};
/** How many messages RACE holds for the session (any kind). */
const raceCount = async (session: string) => {
  const info = await (await jetstreamManager(admin)).streams.info('RACE', { subjects_filter: `timing.${track}.${session}.>` });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
};
const openList = async () => ((await (await new Kvm(admin).open('session-state')).get(OPEN_SESSIONS_KEY))?.json<OpenSessionRef[]>() ?? []);
const refusedOpens = async () => (await registry.getSingleMetric('pitwall_race_control_commands_total')?.get())?.values
  .find((v) => v.labels.verb === 'open' && v.labels.outcome === 'refused')?.value ?? 0;

t.test('a viewer, a competitor or another organisation may not open it: refused, and no session is created', async (t) => {
  for (const [who, token, reason] of [
    ['viewer', viewer, /open needs the role race-control \(the token has viewer\)/],
    ['competitor', competitor, /open needs the role race-control \(the token has competitor\)/],
    ['other organisation', stranger, /organisation other-club, not club/],
  ] as const) {
    t.match(await command('race-1', token, 'open'), { status: 403, body: { outcome: 'refused', code: 'unauthorized', reason } }, `${who}: 403 with the reason`);
  }
  t.equal(await refusedOpens(), 3, 'each refusal counted');
  t.equal(engine.session(track, 'race-1'), undefined, 'no host');
  t.equal(await raceCount('race-1'), 0, 'nothing in RACE');
  t.same(await openList(), [], 'not in the open-session list');
  t.equal(openRequests.length, 3, 'the engine running ingest was asked each time');
});

t.test('open of a session no event declares: 404 with the reason, nothing created', async (t) => {
  const answer = await command('race-9', director, 'open');
  t.equal(answer.status, 404);
  t.match(answer.body.error, { code: 'unknown_session', message: /no declared event at hill-park has a session race-9/ });
  t.equal(await raceCount('race-9'), 0);
  t.match(await command('race-1', director, 'start'), { status: 404, body: { error: { code: 'unknown_session', message: /not a live session/ } } },
    'any other verb of a session that is not live: unknown_session');
  t.same(await openList(), []);
});

t.test('the race director opens, starts and finishes the declared session; a passing is scored on the wall clock', async (t) => {
  const asked = openRequests.length;
  const before = Date.now() * 1000;
  const opened = await command('race-1', director, 'open', { why: 'riders on the grid' });
  t.match(opened, { status: 200, body: { outcome: 'accepted' } }, 'accepted');
  t.equal(openRequests.length, asked + 1, 'created through the engine running ingest, once');
  const host = await waitFor('the host', () => engine.session(track, 'race-1'));
  const view = () => host.published().view!;
  await waitFor('the view open', () => view()?.state === 'open');
  t.match(view().controlLog, [{ verb: 'open', by: 'acc-1', text: 'Session opened', why: 'riders on the grid' }], 'the control log says who opened it');
  t.match(await openList(), [{ track, event: 'club-night', session: 'race-1', clock: 'wall' }], 'saved as an open session on the wall clock');

  t.match(await command('race-1', director, 'start'), { status: 200, body: { outcome: 'accepted' } });
  await waitFor('running', () => view().state === 'running');
  const race = await readRaceEvents(admin, track, 'race-1');
  const start = race.inputs.find((i) => i.kind === 'session' && i.verb === 'start')!;
  t.ok(start.atUs >= before && start.atUs <= Date.now() * 1000, 'the start is stamped with the wall clock (no source gives the session a clock)');

  // A timing device (a hand-held button, a phone) reads car 7 three times: the third passing after the start is its lap 3.
  const device = await nats.connectWith(await nats.server.addEdgeDevice(track, 'hand'));
  for (const [seq, lapsAfterStart] of [[1, 1], [2, 2], [3, 3]] as const) {
    const p: EdgePassing = { type: 'passing', device: 'hand', boot: 'b1', seq, atUs: start.atUs + lapsAfterStart * 60_000_000, precisionUs: 1000, source: 'sim', transponder: 't7' };
    await jetstream(device).publish(subjects.edge(track, 'hand', 'passing'), JSON.stringify(p), { msgID: readingMsgId(p) });
  }
  await waitFor('car 7 on 3 laps', () => view().rows.find((r) => r.number === '7')?.laps === 3);
  t.equal(view().rows.find((r) => r.number === '7')?.lastLapUs, 60_000_000, 'a minute a lap');
  await waitFor('a wall-clock tick moved the clock', async () => (await readRaceEvents(admin, track, 'race-1')).inputs.some((i) => i.kind === 'tick'));

  t.match(await command('race-1', director, 'finish'), { status: 200, body: { outcome: 'accepted' } });
  await waitFor('finished', () => view().state === 'finished');
  const { inputs } = await readRaceEvents(admin, track, 'race-1');
  t.same(inputs.filter((i) => i.kind === 'declaration').length, 1, 'one declaration written');
  t.same(JSON.stringify(foldSession(inputs, { track, event: 'club-night', session: 'race-1' })), JSON.stringify(await waitFor('the view of all of RACE', () => {
    const v = host.published().view;
    return host.appliedStreamSeq() > 0 && v?.state === 'finished' ? v : undefined;
  })), 'the replay of RACE gives the live view');

  const audit = (await (await fetch(`${gw.url}/api/sessions/${track}/race-1/audit`, { headers: { authorization: `Bearer ${director}` } })).json()) as { commands: AuditRecord[] };
  t.same(audit.commands.map((c) => `${c.verb}:${c.outcome.outcome}:${c.caller.sub}`), ['open:accepted:acc-1', 'start:accepted:acc-1', 'finish:accepted:acc-1'],
    'the audit has the open and every later command, with who');
});

t.test('open of a session that is live already: only its host answers', async (t) => {
  const asked = openRequests.length;
  const auditBefore = await raceCount('race-1');
  t.match(await command('race-1', director, 'open'), { status: 409, body: { outcome: 'refused', code: 'not_allowed', reason: /the session is finished: "open" is not a move from there/ } });
  t.equal(openRequests.length, asked, 'the engine running ingest was not asked');
  t.equal(await raceCount('race-1'), auditBefore + 1, 'one audit record: one decision');
});

t.test('two opens at once of a session no source opened (over WebSocket): created once, the second refused by its host', async (t) => {
  const { frames, send } = await openFrameSocket(t, gw.wsUrl);
  const reply = (ref: string) => waitFor(`the reply to ${ref}`, () => frames.find((f): f is CommandReplyFrame => f.type === 'command' && f.ref === ref));
  send({ type: 'auth', token: director });
  send({ type: 'command', ref: 'a', track, session: 'race-2', verb: 'open', args: {} });
  send({ type: 'command', ref: 'b', track, session: 'race-2', verb: 'open', args: {} });
  const answers = [await reply('a'), await reply('b')].map((f) => `${f.outcome}${f.outcome === 'refused' ? `: ${f.reason}` : ''}`).sort();
  t.same(answers, ['accepted', 'refused: the session is open: "open" is not a move from there'], 'one opened it, the other was told it is open');
  const { inputs } = await readRaceEvents(admin, track, 'race-2');
  t.equal(inputs.filter((i) => i.kind === 'declaration').length, 1, 'one declaration');
  t.equal(inputs.filter((i) => i.kind === 'session' && i.verb === 'open').length, 1, 'one open');
  t.match(await openList(), [{ session: 'race-2', clock: 'wall' }], 'race-2 now takes the track\'s passings');
});

t.test('a bad request straight onto cmd._open: a precise refusal, counted', async (t) => {
  const gateway = await nats.connectAs('gateway');
  const reply = await gateway.request(subjects.openSession(track, 'race-1'), 'garbage', { timeout: 5000 });
  t.match(reply.json(), { outcome: 'refused', code: 'bad_request', reason: 'the command is not JSON' });
  const counted = (await registry.getSingleMetric('pitwall_input_errors_total')?.get())?.values.find((v) => v.labels.kind === 'bad_command')?.value;
  t.equal(counted, 1, 'counted as bad_command');
});

t.test('a finished session that no engine hosts any more is not opened again', async (t) => {
  await engine.stop(); // its final snapshots saved; a new engine takes over the open sessions (race-2 only)
  engine = await startNode('test-2');
  await waitFor('race-2 hosted again', () => engine.session(track, 'race-2'));
  const before = await raceCount('race-1');
  t.match(await command('race-1', director, 'open'), { status: 409, body: { outcome: 'refused', code: 'not_allowed', reason: 'the session is finished: "open" is not a move from there' } });
  t.equal(engine.session(track, 'race-1'), undefined, 'no host');
  t.notMatch(await openList(), [{ session: 'race-1' }], 'not in the open-session list');
  t.equal(await raceCount('race-1'), before, 'nothing written');
});

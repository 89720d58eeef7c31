import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { gpsFixMsgId } from '../../actors/contracts/gps.ts';
import type { CommandReply } from '../../actors/contracts/race-control.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { expectedLaps, gatewayFixes, goldenRace } from '../../edge/gps/testing/golden-race.ts';
import { putDeclaration } from '../../engine/declarations/store.ts';
import { startEngine } from '../../engine/engine.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { startTestGateway } from '../testing/gateway.ts';
import { createTestSigner, TEST_ISSUER } from '../testing/tokens.ts';

// The GPS race of docs/gps.md, run as docs/gps.md#running-a-gps-race says: no timing device, race control opens and
// starts the declared session; the boats' real fixes (the golden regatta, moved to start at the real start) become
// the laps the golden crossings give.
t.test('race control opens and starts a GPS race; the riders\' fixes are scored from its wall-clock start', async (t) => {
  const race = goldenRace();
  const declaration = { ...race.declaration, org: 'club' };
  const { track } = declaration;
  const nats = await startTestNats(t);
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), declaration);
  const engine = await startEngine({ nc: await nats.connectAs('engine'), registry: new Registry(), log: (l) => t.comment(l) }, { node: 'test' });
  t.teardown(() => engine.stop());
  const signer = await createTestSigner('k1');
  const verifier = createTokenVerifier({ jwks: { keys: [signer.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
  const gatewayNc = await nats.connectAs('gateway');
  const gw = await startTestGateway(t, gatewayNc, {}, { verifier });
  const director = await signer.sign({ org: 'club', roles: ['race-control'] });
  const command = async (verb: string) => {
    const res = await fetch(`${gw.url}/api/sessions/${track}/${race.session}/commands/${verb}`, { method: 'POST', headers: { authorization: `Bearer ${director}` } });
    return { status: res.status, body: (await res.json()) as CommandReply };
  };

  t.match(await command('open'), { status: 200, body: { outcome: 'accepted' } }, 'opened by race control');
  t.match(await command('start'), { status: 200, body: { outcome: 'accepted' } }, 'started');
  const { inputs } = await readRaceEvents(gatewayNc, track, race.session);
  const startUs = inputs.find((i) => i.kind === 'session' && i.verb === 'start')!.atUs;
  t.ok(Math.abs(startUs - Date.now() * 1000) < 60_000_000, 'the start is on the wall clock');

  // The phones' fixes, as the gateway publishes them, with their times moved so that the regatta's start is this one.
  const shiftUs = startUs - race.startAtUs;
  const js = jetstream(gatewayNc);
  for (const fix of gatewayFixes(race)) {
    const moved = { ...fix, atUs: fix.atUs + shiftUs, receivedAtUs: fix.receivedAtUs + shiftUs };
    await js.publish(subjects.gps(track, moved.device), JSON.stringify(moved), { msgID: gpsFixMsgId(moved) });
  }
  const host = engine.session(track, race.session)!;
  const want = race.riders.map((r) => expectedLaps(race, r));
  const view = await waitFor('the laps of the golden crossings', () => {
    const v = host.published().view;
    return v && race.riders.every((r, i) => v.rows.find((row) => row.number === r.entry.number)?.laps === want[i]) ? v : undefined;
  }, 120_000);
  t.same(race.riders.map((r) => view.rows.find((row) => row.number === r.entry.number)?.laps), want, `laps ${want.join(', ')}, as the golden crossings give them`);
  t.match(await command('finish'), { status: 200, body: { outcome: 'accepted' } }, 'finished');
});

import t from 'tap';
import { riderDevice } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { startTestNats } from '../../engine/testing/nats.ts';
import { waitFor } from '../testing/wait.ts';
import { startLiveSession } from '../testing/live-map.ts';
import { startTestClient, startTestGateway } from '../testing/gateway.ts';
import { createFixPublisher } from '../testing/gps-fixes.ts';
import { sampleView } from '../testing/race-views.ts';
import type { TrackedRider } from '../client/timing-client.ts';

// Issue 15, the live map's feed: fixes published on gps.<track>.<device> as the rider endpoints publish them reach
// the spectators of the live session of their event at their track, as coalesced `positions` frames, through a real
// NATS and gateway; a late joiner gets a full frame with trails right after its snapshot; fixes of other events,
// fixes without a live session and bad messages are counted and shown nowhere.

const TRACK = 'elbe';
const SESSION = 'regatta-1';
const nats = await startTestNats(t);
const gatewayNc = await nats.connectAs('gateway');
const gw = await startTestGateway(t, gatewayNc);
const engine = await startLiveSession(t, await nats.connectAs('engine'), gw.url, sampleView({ track: TRACK, session: SESSION }));
const event = engine.view().event;
const publish = createFixPublisher(gatewayNc, TRACK);

const T0 = 1_718_000_000_000_000; // µs
const at = (sec: number, lat: number, lon: number) => ({ atUs: T0 + sec * 1_000_000, lat, lon });
const plain = (r: TrackedRider | undefined) => r && { number: r.number, atUs: r.atUs, lat: r.lat, lon: r.lon, trail: r.trail };

t.test('fixes reach the session\'s spectators coalesced, and the client ends on each rider\'s latest fix', async (t) => {
  let frames = 0;
  const client = startTestClient(t, gw.wsUrl, { onPositions: () => { frames += 1; } });
  client.subscribe(TRACK, SESSION);
  await waitFor(() => client.view(TRACK, SESSION) !== undefined, 'the snapshot');
  const sent = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => publish({ event, number: '7' }, at(i * 5, 53.542 + i * 1e-4, 9.801 + i * 1e-4))),
    ...Array.from({ length: 5 }, (_, i) => publish({ event, number: '05' }, { ...at(i * 5, 53.548, 9.812 - i * 1e-4), speedMps: 3.5, accuracyM: 4 })),
  ]);
  await waitFor(() => client.positions(TRACK, SESSION)?.get('7')?.atUs === sent[9]!.atUs && client.positions(TRACK, SESSION)?.get('05')?.atUs === sent[14]!.atUs,
    'both riders\' latest fixes');
  const riders = client.positions(TRACK, SESSION)!;
  t.same(plain(riders.get('7')), { number: '7', ...at(45, 53.542 + 9e-4, 9.801 + 9e-4), trail: riders.get('7')!.trail }, 'rider 7 at its latest fix');
  t.match(riders.get('05'), { number: '05', speedMps: 3.5, accuracyM: 4 }, '"05" with speed and accuracy, and apart from a "5"');
  t.ok(Math.abs(riders.get('7')!.heardAtMs - Date.now()) < 60_000, 'heard just now, by this client\'s clock');
  t.ok(frames < sent.length, `coalesced: ${sent.length} fixes came in ${frames} frame(s)`);
  t.equal(await gw.metric('pitwall_gateway_map_fixes_total', { outcome: 'shown' }), sent.length, 'every fix counted as shown');
});

t.test('a late joiner gets its snapshot, then every rider with a trail', async (t) => {
  const order: string[] = [];
  let first: Map<string, TrackedRider> | undefined;
  const client = startTestClient(t, gw.wsUrl, {
    onView: () => order.push('view'),
    onPositions: (_t, _s, riders) => {
      order.push('positions');
      first ??= new Map(riders);
    },
  });
  client.subscribe(TRACK, SESSION);
  await waitFor(() => first !== undefined, 'the positions after the snapshot');
  t.same(order.slice(0, 2), ['view', 'positions'], 'the snapshot first, then the positions');
  t.same([...first!.keys()].sort(), ['05', '7'], 'both riders');
  // Fixes 5 s apart, 45 s in all: every earlier fix is on the trail (2 minutes, one point per 5 s).
  t.same(first!.get('7')!.trail.map(([atUs]) => (atUs - T0) / 1e6), [0, 5, 10, 15, 20, 25, 30, 35, 40], 'rider 7\'s trail, oldest first');
  t.same(first!.get('7')!.trail.at(-1), [T0 + 40e6, 53.542 + 8e-4, 9.801 + 8e-4], 'a trail point is [atUs, lat, lon]');

  await publish({ event, number: '7' }, at(50, 53.5431, 9.8021));
  await waitFor(() => client.positions(TRACK, SESSION)?.get('7')?.atUs === T0 + 50e6, 'the next fix');
  t.same(client.positions(TRACK, SESSION)!.get('7')!.trail.at(-1)?.[0], T0 + 45e6, 'the client grows the trail from later frames');
});

t.test('fixes of another event, of a track with no live session, and bad messages show nowhere and are counted', async (t) => {
  const client = startTestClient(t, gw.wsUrl);
  client.subscribe(TRACK, SESSION);
  await waitFor(() => client.positions(TRACK, SESSION)?.size === 2, 'the riders so far');
  const noSession = await gw.metric('pitwall_gateway_map_fixes_total', { outcome: 'no_live_session' });
  await publish({ event: 'another-meeting', number: '9' }, at(60, 53.54, 9.8));
  await createFixPublisher(gatewayNc, 'other-track')({ event, number: '8' }, at(60, 53.54, 9.8));
  gatewayNc.publish(subjects.gps(TRACK, riderDevice({ event, number: '3' })), 'not json');
  gatewayNc.publish(subjects.gps(TRACK, riderDevice({ event, number: '3' })), JSON.stringify({ type: 'fix', device: riderDevice({ event, number: '3' }),
    entry: { event, number: '3' }, atUs: T0, lat: 91, lon: 9.8, receivedAtUs: T0, via: 'ws' }));
  gatewayNc.publish(subjects.gps(TRACK, riderDevice({ event, number: '3' })), JSON.stringify({ type: 'fix', device: riderDevice({ event, number: '3' }),
    entry: { event, number: '4' }, atUs: T0, lat: 53.5, lon: 9.8, receivedAtUs: T0, via: 'ws' }));
  await waitFor(async () => (await gw.metric('pitwall_input_errors_total', { kind: 'bad_gps_message' })) === 3, 'three bad messages counted');
  await waitFor(async () => (await gw.metric('pitwall_gateway_map_fixes_total', { outcome: 'no_live_session' })) === noSession + 2, 'two fixes with no live session');
  // A fix of this session after them: once it is shown, anything published before it was handled.
  await publish({ event, number: '7' }, at(55, 53.5432, 9.8022));
  await waitFor(() => client.positions(TRACK, SESSION)?.get('7')?.atUs === T0 + 55e6, 'the later fix');
  t.same([...client.positions(TRACK, SESSION)!.keys()].sort(), ['05', '7'], 'nobody else on this session\'s map');
  t.equal(client.statuses.filter((s) => s.kind === 'error').length, 0, 'the spectator saw no error');
});

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Registry } from 'prom-client';
import t from 'tap';
import { readingMsgId } from '../../actors/contracts/events.ts';
import { gpsFixMsgId, riderDevice, type GpsFix } from '../../actors/contracts/gps.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import { expectedLaps, gatewayFixes, goldenRace, openGoldenSession } from '../../edge/gps/testing/golden-race.ts';
import { ensureSchema } from '../clickhouse/schema.ts';
import { analyticsExamples } from '../testing/analytics-examples.ts';
import { putDeclaration } from '../declarations/store.ts';
import { startEngine } from '../engine.ts';
import { useTestClickHouse } from '../testing/clickhouse.ts';
import { startTestNats } from '../testing/nats.ts';
import { readRaceEvents } from '../testing/race-events.ts';
import { waitFor } from '../testing/wait.ts';
import { GPS_INGEST_CONSUMER_PREFIX } from './gps-ingest.ts';
import { startPositionsSink } from './positions-sink.ts';

/**
 * The golden race (edge/gps/testing/golden-race.ts) through a real NATS, engine and ClickHouse: the boats' GPX fixes
 * published as the gateway publishes them, with their GPX times; the passings the engine writes to RACE must be the
 * golden crossings (found by an independent method, docs/gps.md) within 1 s, each once.
 */
t.test('GPX tracks as riders: passings match the golden crossings within 1 s, each once; fixes archived in positions', async (t) => {
  const nats = await startTestNats(t);
  const ch = await useTestClickHouse(t);
  await ensureSchema(ch);
  const registry = new Registry();
  const log = (line: string) => t.comment(line);
  const race = goldenRace();
  const { track, event } = race.declaration;
  await putDeclaration(await new Kvm(await nats.connectAs('admin')).open('events'), race.declaration);
  const engineNc = await nats.connectAs('engine');
  const engine = await startEngine({ nc: engineNc, registry, log }, { node: 'test' });
  t.teardown(() => engine.stop());
  const sink = await startPositionsSink({ nc: engineNc, clickhouse: ch, registry, log }, { maxWaitMs: 1000 });
  t.teardown(() => sink.stop());

  // The race office opens and starts the session, as start lights or the simulator do.
  await openGoldenSession(nats, race);
  const host = await waitFor('the session running', () => {
    // The start comes through the edge ingest and the fixes through the GPS ingest, two consumers in no order between
    // them: a crossing folded before the start would count no lap.
    const host = engine.session(track, race.session);
    return host?.published().view?.state === 'running' ? host : undefined;
  });

  // The gateway publishes every rider's fixes, in time order as they would arrive live, plus what it must not hurt:
  // a fix of an entry no open session holds, and a malformed message.
  const gateway = jetstream(await nats.connectAs('gateway'));
  const fixes = gatewayFixes(race);
  const stranger: GpsFix = { ...fixes[0]!, entry: { event, number: '99' }, device: riderDevice({ event, number: '99' }) };
  for (const fix of [stranger, ...fixes]) await gateway.publish(subjects.gps(track, fix.device), JSON.stringify(fix), { msgID: gpsFixMsgId(fix) });
  await gateway.publish(subjects.gps(track, fixes[0]!.device), '{"type":"fix","lat":"north"}', { msgID: 'bad-1' });

  const jsm = await jetstreamManager(engineNc);
  const gpsConsumers = async () => {
    const all = [];
    for await (const info of jsm.consumers.list('EDGE')) if (info.name.startsWith(`${GPS_INGEST_CONSUMER_PREFIX}-`)) all.push(info);
    return all;
  };
  const caughtUp = () =>
    waitFor('the GPS ingest to take every fix', async () => {
      const [info] = await gpsConsumers();
      return info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > fixes.length;
    }, 60_000);
  await caughtUp();

  const passingsInRace = async () => (await readRaceEvents(engineNc, track, race.session)).inputs.filter((i) => i.kind === 'passing');
  const passings = await passingsInRace();
  let worstUs = 0;
  for (const rider of race.riders) {
    const got = passings.filter((p) => p.car === rider.entry.number).map((p) => p.atUs).sort((a, b) => a - b);
    const want = rider.crossings.map((c) => c.atUs);
    t.equal(got.length, want.length, `boat ${rider.entry.number}: ${want.length} passings, one per golden crossing`);
    want.forEach((w, i) => {
      const delta = Math.abs((got[i] ?? Infinity) - w);
      worstUs = Math.max(worstUs, delta);
      t.ok(delta < 1_000_000, `boat ${rider.entry.number} crossing ${i + 1} at ${rider.crossings[i]!.iso}: engine ${new Date((got[i] ?? 0) / 1000).toISOString()}`);
    });
  }
  t.comment(`largest difference from the golden crossings: ${worstUs} µs`);
  t.equal(new Set(passings.map((p) => readingMsgId(p.reading))).size, passings.length, 'each passing its own reading id');

  // The session scores them: double reads within the session's minimum lap count no lap.
  const view = await waitFor('the laps in the view', () => {
    const v = host.published().view;
    return v && race.riders.every((r) => v.rows.find((row) => row.number === r.entry.number)?.laps === expectedLaps(race, r)) ? v : undefined;
  });
  t.same(race.riders.map((r) => view.rows.find((row) => row.number === r.entry.number)?.laps), race.riders.map((r) => expectedLaps(race, r)), 'laps as the golden crossings give them under minLapMs');

  const metrics = await registry.metrics();
  t.match(metrics, /pitwall_input_errors_total\{kind="unassigned_fix"\} 1\b/, 'the stranger\'s fix counted as unassigned');
  t.match(metrics, /pitwall_input_errors_total\{kind="bad_gps_fix"\} 1\b/, 'the malformed fix counted');
  t.match(metrics, new RegExp(`pitwall_gps_fixes_total\\{verdict="accepted"\\} ${fixes.length}\\b`), 'every GPX fix accepted (no outliers in these tracks)');

  // Every fix the gateway published is archived once (the stranger's too: positions keep what riders sent).
  await waitFor('positions archived', async () => (await ch.rows<{ n: string }>('SELECT count() AS n FROM positions FINAL'))[0]?.n === String(fixes.length + 1), 60_000);
  const [first] = await ch.rows<Record<string, unknown>>(`SELECT * FROM positions FINAL WHERE device = '${fixes[0]!.device}' ORDER BY at_us LIMIT 1`);
  const f = fixes.find((x) => x.device === fixes[0]!.device)!;
  t.match(first, { track, event, entry: f.entry.number, device: f.device, lat: f.lat, lon: f.lon, speed: null, accuracy: null, via: 'ws' });
  t.equal(String(first!.at_us), String(f.atUs), 'µs time kept');
  t.match(await registry.metrics(), /pitwall_input_errors_total\{kind="bad_positions_message"\} 1\b/, 'the malformed fix skipped by the sink too');

  // docs/analytics.md's examples on positions give rows for this race.
  const examples = analyticsExamples().filter((q) => q.onPositions);
  t.ok(examples.length >= 2, `${examples.length} examples on positions`);
  for (const { sql } of examples) t.ok((await ch.rows(sql)).length > 0, `rows from: ${sql.split('\n')[0]}`);
  const perRider = await ch.rows<{ entry: string; fixes: string }>(examples[0]!.sql);
  t.same(perRider.map((r) => [r.entry, Number(r.fixes)]), race.riders.map((r) => [r.entry.number, r.points.length]), 'fixes per rider');

  // A restarted engine whose GPS ingest reads every fix again (its consumer position lost) finds the same crossings
  // with the same reading ids: the new owner (a new lease epoch, so new RACE message ids) writes them again, and the
  // actor applies each reading once.
  await engine.stop();
  for (const info of await gpsConsumers()) await jsm.consumers.delete('EDGE', info.name);
  const again = await startEngine({ nc: engineNc, registry: new Registry(), log }, { node: 'test' });
  t.teardown(() => again.stop());
  await caughtUp();
  const timeOf = (list: typeof passings) => new Map(list.map((p) => [readingMsgId(p.reading), p.atUs]));
  const after = await passingsInRace();
  t.ok(after.length > passings.length, 'the fixes were read again');
  t.same(timeOf(after), timeOf(passings), 'the same crossings, with the same reading ids and times');
  const host2 = await waitFor('the session actor again', () => again.session(track, race.session));
  const { lastSeq } = await readRaceEvents(engineNc, track, race.session);
  await waitFor('the actor to apply them', () => host2.appliedStreamSeq() >= lastSeq);
  const laps = await waitFor('the view again', () => host2.published().view?.rows.map((r) => r.laps));
  t.same(laps.sort(), view.rows.map((r) => r.laps).sort(), 'the same laps');
});

import { jetstreamManager } from '@nats-io/jetstream';
import { Registry } from 'prom-client';
import t from 'tap';
import { ensureSchema } from '../../engine/clickhouse/schema.ts';
import { startRaceArchive } from '../../engine/race-archive.ts';
import { useTestClickHouse } from '../../engine/testing/clickhouse.ts';
import { readRaceEvents } from '../../engine/testing/race-events.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { startLiveRace } from '../testing/live-race.ts';

// Results stay readable after the race: once no engine holds a session, the gateway folds it from RACE, and after
// the stream lost its events (max_age), from the ClickHouse archive — the same standings as live.

const ch = await useTestClickHouse(t);
await ensureSchema(ch);
const { track, session, engineNc, engine, gw, sim, host } = await startLiveRace(t, {
  cars: 6, speed: 'max', seed: 5, startMs: 1_900_000_000_000,
  beforeGateway: async (nc) => {
    const archive = await startRaceArchive({ nc, clickhouse: ch, registry: new Registry(), log: (line) => t.comment(line) }, { maxWaitMs: 200 });
    t.teardown(() => archive.stop());
    return { clickhouse: ch };
  },
});

const get = async (path: string) => {
  const res = await fetch(`${gw.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const results = `/api/sessions/${track}/${session.id}/results`;
const withoutSeq = ({ seq: _seq, ...rest }: Record<string, unknown>) => rest;

// Every wait runs inside a test: tap ends the file when its event loop empties, and the NATS client's timers do not
// keep it alive.
let live: { status: number; body: Record<string, unknown> };
t.test('the race runs to its finish, then its engine stops', async (t) => {
  await sim.done;
  await waitFor('RACE to settle with the session finished', async () => {
    if (host.published().view?.state !== 'finished') return undefined;
    const read = await readRaceEvents(engineNc, track, session.id);
    return host.appliedStreamSeq() >= read.lastSeq ? read : undefined;
  });
  live = await get(results);
  t.equal(live.status, 200, 'results while the engine holds the session');
  t.equal((live.body.results as unknown[]).length, 6, 'every car');

  await engine.stop();
  await waitFor('no engine answering for the session', async () => ((await get(`/api/sessions/${track}/${session.id}/standings`)).body.seq === 0 ? true : undefined));
});

t.test('from RACE once no engine holds the session: the same results', async (t) => {
  const after = await get(results);
  t.equal(after.status, 200);
  t.same(withoutSeq(after.body), withoutSeq(live.body), 'equal to the live results but for seq');
  t.equal(after.body.seq, 0, 'seq 0: no diff stream follows a folded view');
  t.equal(after.body.final, true, 'the finished session is final');
});

t.test('from the ClickHouse archive once RACE lost the events: the same results', async (t) => {
  const jsm = await jetstreamManager(engineNc);
  const filter = `timing.${track}.${session.id}.>`;
  const info = await jsm.streams.info('RACE', { subjects_filter: filter });
  const inRace = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  await waitFor('every RACE event archived', async () => {
    const [row] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM race_events FINAL WHERE track = '${track}' AND session = '${session.id}'`);
    return Number(row?.n) >= inRace ? true : undefined;
  });
  await jsm.streams.purge('RACE', { filter });
  t.equal((await jsm.streams.info('RACE', { subjects_filter: filter })).state.subjects, undefined, 'RACE holds none of the session any more');
  const after = await get(results);
  t.equal(after.status, 200);
  t.same(withoutSeq(after.body), withoutSeq(live.body), 'equal to the live results but for seq');
});

t.test('a session that never ran is still unknown, with a clear message', async (t) => {
  const none = await get(`/api/sessions/${track}/no-such-session/results`);
  t.equal(none.status, 404);
  t.match(none.body, { error: { code: 'unknown_session', message: `${track}/no-such-session is neither a live session nor a past one` } });
});

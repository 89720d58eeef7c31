import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { lapMsgId, type LapEvent } from '../../../actors/contracts/events.ts';
import { subjects } from '../../../actors/contracts/subjects.ts';
import { backlogLap, lapEvent, TRACK } from './lap-events.ts';
import { wallUs } from '../../fanout/clock.ts';

/**
 * The load of the lap-sink scenario, in a process of its own: RACE written as the session actor writes it
 * (engine/session-host.ts) — each completed lap as `timing.<track>.<session>.lap` with its message id `lapMsgId`, and
 * before it the passing that completed it as `timing.<track>.<session>.passing` — plus the clock ticks of the open
 * sessions. Every payload carries the writer's `lease` epoch, as the host's do.
 *
 * IPC commands (each answered with `done`):
 * - `backlog {session, count}`: `count` laps of 100 cars as fast as JetStream takes them (512 in flight); answers with the
 *   first one's stream sequence.
 * - `rate {session, perSec, seconds}`: laps of 100 cars at a steady rate; answers with each lap's publish time.
 * - `burst {session, cars, spreadMs}`: a start: each car crosses once, spread evenly over `spreadMs` (passing then
 *   lap); answers with each lap's publish time and pub-ack time.
 * - `background {lapsPerSec, sessions}` / `background {lapsPerSec: 0}`: other live sessions (their laps, passings and
 *   one tick a second each) until told to stop.
 */
const boot = Math.random().toString(36).slice(2, 8);
let readingSeq = 0;

export interface LapTimes {
  /** `session/car/lap` → wall µs just before the lap's publish (and, for a burst, when JetStream acked it). */
  publishedUs: Record<string, number>;
  ackedUs?: Record<string, number>;
}

const lapKey = (lap: Pick<LapEvent, 'session' | 'car' | 'lap'>) => `${lap.session}/${lap.car}/${lap.lap}`;

/** The passing that completes `lap`, then the lap, as the host writes them; resolves with the lap's pub-ack. */
function publishCrossing(js: JetStreamClient, lap: LapEvent): { passing: Promise<unknown>; lap: Promise<unknown> } {
  readingSeq += 1;
  const reading = { device: 'bench-loop', boot, seq: readingSeq };
  const passing = { kind: 'passing', atUs: lap.atUs, car: lap.car, precisionUs: 1000, reading, lease: 1 };
  return {
    passing: js.publish(subjects.timing(TRACK, lap.session, 'passing'), JSON.stringify(passing), { msgID: `bench-loop:${boot}:${readingSeq}@1` }),
    lap: js.publish(subjects.timing(TRACK, lap.session, 'lap'), JSON.stringify({ ...lap, lease: 1 }), { msgID: lapMsgId(lap) }),
  };
}

const env = (name: string) => process.env[name] ?? '';
const nc = await connect({ servers: env('BENCH_NATS_URL'), user: env('BENCH_NATS_USER'), pass: env('BENCH_NATS_PASS'), name: 'bench lap load' });
const js = jetstream(nc);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function backlog(session: string, count: number): Promise<{ firstSeq: number }> {
  const inFlight = new Set<Promise<unknown>>();
  let firstSeq = Infinity;
  for (let i = 0; i < count; i++) {
    const lap = backlogLap(session, i, wallUs());
    const p = js.publish(subjects.timing(TRACK, session, 'lap'), JSON.stringify({ ...lap, lease: 1 }), { msgID: lapMsgId(lap) }).then((ack) => (firstSeq = Math.min(firstSeq, ack.seq)));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 512) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { firstSeq };
}

async function rate(session: string, perSec: number, seconds: number): Promise<LapTimes> {
  const publishedUs: Record<string, number> = {};
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < perSec * seconds; i++) {
    const due = t0 + (i * 1000) / perSec;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const lap = backlogLap(session, i, wallUs());
    publishedUs[lapKey(lap)] = wallUs();
    pending.push(js.publish(subjects.timing(TRACK, session, 'lap'), JSON.stringify({ ...lap, lease: 1 }), { msgID: lapMsgId(lap) }));
  }
  await Promise.all(pending);
  return { publishedUs };
}

async function burst(session: string, cars: number, spreadMs: number): Promise<LapTimes> {
  const publishedUs: Record<string, number> = {};
  const ackedUs: Record<string, number> = {};
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let car = 0; car < cars; car++) {
    const wait = t0 + (car * spreadMs) / cars - performance.now();
    if (wait > 1) await sleep(wait);
    const lap = lapEvent(session, car, 1, wallUs());
    const key = lapKey(lap);
    publishedUs[key] = wallUs();
    const sent = publishCrossing(js, lap);
    pending.push(sent.passing, sent.lap.then(() => (ackedUs[key] = wallUs())));
  }
  await Promise.all(pending);
  return { publishedUs, ackedUs };
}

/** Other live sessions: every 100 ms a tenth of a second's laps (each with its passing) and the due ticks. */
let background: { stop: boolean; done: Promise<void> } | undefined;
function startBackground(lapsPerSec: number, sessions: number) {
  const state = { stop: false, done: Promise.resolve() };
  state.done = (async () => {
    const laps = new Map<string, number>();
    let step = 0;
    while (!state.stop) {
      step += 1;
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < lapsPerSec / 10; i++) {
        const session = `bg-${Math.floor(Math.random() * sessions)}`;
        const car = Math.floor(Math.random() * 30);
        const n = (laps.get(`${session}/${car}`) ?? 0) + 1;
        laps.set(`${session}/${car}`, n);
        const sent = publishCrossing(js, lapEvent(session, car, n, wallUs()));
        sends.push(sent.passing, sent.lap);
      }
      if (step % 10 === 0) {
        for (let s = 0; s < sessions; s++) {
          sends.push(js.publish(subjects.timing(TRACK, `bg-${s}`, 'tick'), JSON.stringify({ kind: 'tick', atUs: wallUs(), lease: 1 }), { msgID: `tick:bg-${s}:${step}@1` }));
        }
      }
      await Promise.all([...sends, sleep(100)]);
    }
  })();
  return state;
}

process.on('message', (m: { type: string; session: string; count: number; perSec: number; seconds: number; cars: number; spreadMs: number; lapsPerSec: number; sessions: number }) => {
  const done = (extra: object = {}) => process.send?.({ type: 'done', ...extra });
  const fail = (err: Error) => process.send?.({ type: 'done', error: err.message });
  if (m.type === 'backlog') void backlog(m.session, m.count).then(done, fail);
  else if (m.type === 'rate') void rate(m.session, m.perSec, m.seconds).then(done, fail);
  else if (m.type === 'burst') void burst(m.session, m.cars, m.spreadMs).then(done, fail);
  else if (m.type === 'background') {
    const previous = background;
    if (previous) previous.stop = true;
    void (previous?.done ?? Promise.resolve()).then(() => {
      background = m.lapsPerSec > 0 ? startBackground(m.lapsPerSec, m.sessions) : undefined;
      done();
    });
  }
});
process.send?.({ type: 'ready' });

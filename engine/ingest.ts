import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { EventDeclaration } from '../actors/contracts/declaration.ts';
import type { EdgePassing, EdgeSessionMessage } from '../actors/contracts/events.ts';
import { readingMsgId } from '../actors/contracts/events.ts';
import type { EdgeRmonMessage } from '../actors/contracts/rmonitor.ts';
import { parseEdgeSubject } from '../actors/contracts/subjects.ts';
import type { SessionActorOptions } from '../actors/session-actor.ts';
import { entryMatcher, type EntryMatcher } from './declarations/entry-map.ts';
import { takeOverEdgeConsumer } from './epoch-consumer.ts';
import { createKeyedQueue } from './keyed-queue.ts';
import { getDeclaration } from './declarations/store.ts';
import { counter, inputErrors, jumpStarts } from './metrics.ts';
import type { Log } from './log.ts';
import { createRmonitorIngest } from './rmonitor-ingest.ts';
import { isConflict } from './ownership/leases.ts';
import { isOwnerUnavailable, requestInput, type IngestInput } from './ownership/session-input.ts';

/**
 * Ingest: turns edge readings (stream EDGE) into session events (stream RACE).
 *
 * Edge devices do not know which session runs: a session opens when its source says so (the simulator, a replay),
 * naming the declared event; a passing goes to the one open session at its track whose entries hold what was read
 * (transponder, chip, lane or car id: declarations/entry-map.ts). None or several → counted as unassigned, never
 * guessed. Each RACE event carries a message id derived from the edge reading, so a redelivered EDGE message writes
 * nothing twice; the EDGE message is acknowledged only after RACE acknowledged what it produced.
 *
 * Several engines: ingest runs on one engine at a time, under the `_ingest` lease (engine/ownership/), and writes
 * nothing to RACE itself: each input goes to the engine that owns the session (ownership/session-input.ts), which
 * writes it under its own lease. Without an answer (no owner yet, or a takeover under way) the same EDGE message is
 * retried in place, and its track's later messages wait; other tracks go on (each track in the edge's order). A new ingest takes over from the previous one's consumer position with a consumer of its own
 * (`ingest-<epoch>`), so a paused former ingest can no longer pull from it; and the open-session list is saved with
 * compare-and-set, so a paused former ingest cannot overwrite it.
 */

export interface OpenSession {
  track: string;
  event: string;
  session: string;
  declaration: EventDeclaration;
  /** What a passing read → car number, by the declared entries. */
  carOf: EntryMatcher;
  /** The time of the last event ingest wrote for this session. */
  lastAtUs?: number;
  /** Scoring options of the session's actor (an RMonitor feed: the program's positions, its own checkered). */
  scoring?: SessionActorOptions;
  /**
   * `wall`: the session has no source with a clock (race control opened it: GPS, manual timing): its time is the
   * wall clock (UTC µs, as GPS fixes are), and race-control commands are stamped with it.
   */
  clock?: 'wall';
}

export interface IngestDeps {
  nc: NatsConnection;
  /** KV `session-state`: the open sessions are kept there, so a restarted engine keeps assigning their passings. */
  state: KV;
  registry: Registry;
  log: Log;
  /** Called once per session when it opens, before its first event is written (the engine claims it). */
  onSessionOpen(session: OpenSession): void;
  /** Epoch of the `_ingest` lease this ingest runs under (0: a lone engine without leases, e.g. in a unit test). */
  epoch: number;
  /** Called when this ingest finds that a newer one took over (it stops retrying; the engine gives up the lease). */
  onSuperseded?(reason: string): void;
  /** How long to wait for the owner's answer to one input before asking again. */
  requestTimeoutMs?: number;
}

export interface Ingest {
  openSessions(): OpenSession[];
  /** The EDGE consumer this ingest reads (for the lag watch). */
  consumer: string;
  /** Asks the owner of the session to write `input` (engine/declaration-watch.ts uses it too). */
  write(track: string, session: string, input: IngestInput, msgId: string): Promise<number>;
  /** A changed declaration (engine/declaration-watch.ts): the open sessions of its event map passings by its entries. */
  updateDeclaration(declaration: EventDeclaration): void;
  /**
   * Race control opens a declared session that no source opened (engine/race-control/session-opener.ts): as a
   * source's `session.open` does — the open-session list saved, the declaration written to the session by its new
   * owner — but not the `open` itself, which the host decides as a command. Its clock is the wall clock. Resolves
   * `live` without touching anything when the session is open already; rejects when its host has not answered within
   * OPEN_DECLARED_WAIT_MS (the declaration is still written when it does, and a later call waits for that).
   */
  openDeclared(declaration: EventDeclaration, session: string, msgId: string): Promise<'created' | 'live'>;
  stop(): Promise<void>;
}

/** Ingest's EDGE consumers are `ingest-<epoch>` (`ingest` alone before leases). */
export const INGEST_CONSUMER_PREFIX = 'ingest';
/** Key of the open-session list in KV `session-state` (track slugs never start with `_`). */
export const OPEN_SESSIONS_KEY = '_open-sessions';

/** How long race control's `open` waits for the new session's host before it answers (less than the gateway's command timeout). */
const OPEN_DECLARED_WAIT_MS = 6000;

/** A saved open session: what an engine needs to claim and rebuild it. */
export type OpenSessionRef = Pick<OpenSession, 'track' | 'event' | 'session' | 'scoring' | 'clock'>;

export async function startIngest(deps: IngestDeps): Promise<Ingest> {
  const errors = inputErrors(deps.registry);
  const unassigned = counter(deps.registry, 'pitwall_unassigned_passings_total', 'Passings that matched no open session, or several');
  const jumpStartCount = jumpStarts(deps.registry);
  const js = jetstream(deps.nc);
  const jsm = await jetstreamManager(deps.nc);
  const events = await new Kvm(deps.nc).open('events');
  // Resume in order, from the previous ingest's consumer position (epoch-consumer.ts).
  const consumerName = await takeOverEdgeConsumer(jsm, { prefix: INGEST_CONSUMER_PREFIX, epoch: deps.epoch, filterSubject: 'edge.>' });
  const consumer = await js.consumers.get('EDGE', consumerName);
  const sessions = new Map<string, OpenSession>(); // `${track}.${session}` →
  let stopping = false;

  const openSession = (track: string, event: string, session: string, declaration: EventDeclaration, scoring?: SessionActorOptions, clock?: 'wall'): OpenSession => {
    // A new session at a track ends the assignment of passings to the earlier ones there.
    for (const [k, s] of sessions) if (s.track === track) sessions.delete(k);
    const open: OpenSession = {
      track,
      event,
      session,
      declaration,
      carOf: entryMatcher(declaration),
      ...(scoring ? { scoring } : {}),
      ...(clock ? { clock } : {}),
    };
    sessions.set(`${track}.${session}`, open);
    deps.onSessionOpen(open);
    return open;
  };
  // Sessions opened before a restart or before this engine took ingest over.
  const saved = await deps.state.get(OPEN_SESSIONS_KEY);
  let savedRevision = saved?.revision ?? 0;
  for (const { track, event, session, scoring, clock } of saved?.operation === 'PUT' ? saved.json<OpenSessionRef[]>() : []) {
    const declaration = await getDeclaration(events, track, event);
    if (declaration) openSession(track, event, session, declaration, scoring, clock);
  }
  /**
   * Compare-and-set on the revision this ingest read or wrote: a former ingest's late save fails (and it stops). One
   * save at a time (the edge loop and race control's opener both save), so this ingest never conflicts with itself.
   */
  let saves: Promise<void> = Promise.resolve();
  const saveOpenSessions = () => (saves = saves.catch(() => undefined).then(saveOpenSessionsNow));
  const saveOpenSessionsNow = async () => {
    const list = JSON.stringify([...sessions.values()].map(({ track, event, session, scoring, clock }) => ({ track, event, session, ...(scoring ? { scoring } : {}), ...(clock ? { clock } : {}) }) satisfies OpenSessionRef));
    try {
      savedRevision = savedRevision === 0 ? await deps.state.create(OPEN_SESSIONS_KEY, list) : await deps.state.update(OPEN_SESSIONS_KEY, list, savedRevision);
    } catch (err) {
      if (!isConflict(err)) throw err;
      stopping = true; // another ingest took over: this one retries nothing more
      const reason = `another ingest saved the open sessions (this one's epoch ${deps.epoch})`;
      deps.onSuperseded?.(reason);
      throw new Error(reason, { cause: err });
    }
  };

  /** Sessions race control opened whose declaration their new host has not written yet (openDeclared). */
  const declaring = new Map<string, Promise<void>>();
  /** The declaration of a session race control opened, written once its new host answers (it claims it first). */
  const declare = async (track: string, session: string, declaration: EventDeclaration, msgId: string) => {
    const atUs = Date.now() * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        await write(track, session, { kind: 'declaration', atUs, declaration }, msgId);
        return;
      } catch (err) {
        if (stopping || !isOwnerUnavailable(err)) throw err;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  };
  const write = async (track: string, session: string, input: IngestInput, msgId: string) => {
    const seq = await requestInput(deps.nc, track, session, { input, msgId, ingest: deps.epoch }, deps.requestTimeoutMs ?? 2000);
    const open = sessions.get(`${track}.${session}`);
    if (open) open.lastAtUs = Math.max(open.lastAtUs ?? input.atUs, input.atUs);
    return seq;
  };

  async function onSessionMessage(track: string, m: EdgeSessionMessage): Promise<void> {
    const id = `in:${readingMsgId(m)}`;
    const key = `${track}.${m.session}`;
    if (m.type === 'session.open') {
      const declaration = await getDeclaration(events, track, m.event);
      if (!declaration || !declaration.sessions.some((s) => s.id === m.session)) {
        errors.inc({ kind: 'unknown_session' });
        deps.log(`ingest: ${m.device} opened ${track}/${m.session} of event ${m.event}, which is not declared: ignored`, { level: 'warn', track, session: m.session, event: m.event, device: m.device });
        return;
      }
      openSession(track, m.event, m.session, declaration);
      await saveOpenSessions();
      await write(track, m.session, { kind: 'declaration', atUs: m.atUs, declaration }, `${id}:declaration`);
      await write(track, m.session, { kind: 'session', atUs: m.atUs, verb: 'open', reading: { device: m.device, boot: m.boot, seq: m.seq } }, id);
      return;
    }
    if (!sessions.has(key)) {
      errors.inc({ kind: 'unknown_session' });
      return;
    }
    if (m.type === 'jump-start') {
      await onJumpStart(track, m);
      return;
    }
    const reading = { device: m.device, boot: m.boot, seq: m.seq };
    const input: IngestInput =
      m.type === 'clock.tick'
        ? { kind: 'tick', atUs: m.atUs, reading }
        : m.type === 'flag'
          ? { kind: 'flag', atUs: m.atUs, flag: m.flag, ...(m.sector === undefined ? {} : { sector: m.sector }), reading }
          : { kind: 'session', atUs: m.atUs, verb: m.type === 'session.start' ? 'start' : 'finish', reading };
    await write(track, m.session, input, id);
  }

  /**
   * Start lights saw a car cross before the green: counted, logged, and written as a line in the session's control log
   * (a `note` stamped by the device, so officials see it on the race-control and spectator pages). It changes no
   * score: a penalty is race control's decision.
   */
  async function onJumpStart(track: string, m: Extract<EdgeSessionMessage, { type: 'jump-start' }>): Promise<void> {
    const session = sessions.get(`${track}.${m.session}`)!;
    jumpStartCount.inc({ track });
    const car = session.carOf({ lane: m.lane, carId: m.carId });
    const what = `${m.lane !== undefined ? `lane ${m.lane}` : `car id ${String(m.carId)}`}${car === undefined ? '' : ` (#${car})`}`;
    deps.log(`ingest: jump start at ${track}/${m.session}: ${what} crossed before the green (${m.device})`, { level: 'warn', track, session: m.session, device: m.device, ...(car === undefined ? {} : { car }) });
    const id = `in:${readingMsgId(m)}`;
    const control = { id, by: `edge:${m.device}`, org: session.declaration.org ?? '', atMs: Math.floor(m.atUs / 1000) };
    // The reading id: a jump start sent again after the streams' dedupe windows is dropped by the actor, not logged twice.
    const reading = { device: m.device, boot: m.boot, seq: m.seq };
    await write(track, m.session, { kind: 'note', atUs: m.atUs, text: `Jump start: ${what} crossed before the green`, control, reading }, id);
  }

  async function onPassing(track: string, p: EdgePassing): Promise<void> {
    // Agents never name the car: a passing carries what was read (transponder, chip, lane or car id).
    const read = { transponder: p.transponder, chip: p.chip, lane: p.lane, carId: p.carId };
    const matches = [...sessions.values()].flatMap((s) => {
      const car = s.track === track ? s.carOf(read) : undefined;
      return car === undefined ? [] : [{ session: s, car }];
    });
    const [match] = matches;
    if (!match || matches.length > 1) {
      unassigned.inc();
      errors.inc({ kind: 'unassigned_passing' });
      return;
    }
    const { car } = match;
    const reading = { device: p.device, boot: p.boot, seq: p.seq };
    await write(track, match.session.session, { kind: 'passing', atUs: p.atUs, car, precisionUs: p.precisionUs, reading }, `in:${readingMsgId(p)}`);
  }

  const rmonitor = createRmonitorIngest({
    ...deps,
    write,
    async open(track, event, session, declaration, scoring) {
      openSession(track, event, session, declaration, scoring);
      await saveOpenSessions();
    },
  });

  async function handle(msg: JsMsg): Promise<void> {
    const parsed = parseEdgeSubject(msg.subject);
    // raw (a decoder's own records) and health are kept in EDGE for audit and for their own readers, not ingested
    if (parsed?.kind === 'raw' || parsed?.kind === 'health') return;
    if (parsed?.kind === 'rmon') {
      let message: EdgeRmonMessage;
      try {
        message = msg.json<EdgeRmonMessage>();
      } catch {
        errors.inc({ kind: 'bad_edge_message' });
        return;
      }
      return rmonitor.onMessage(parsed.track, parsed.device, message);
    }
    let payload: EdgePassing | EdgeSessionMessage;
    try {
      payload = msg.json();
      if (typeof payload !== 'object' || payload === null || typeof (payload as { atUs?: unknown }).atUs !== 'number') {
        throw new Error('no atUs');
      }
    } catch {
      errors.inc({ kind: 'bad_edge_message' });
      deps.log(`ingest: undecodable message on ${msg.subject} (stream seq ${msg.seq}): skipped`, { level: 'warn', subject: msg.subject, streamSeq: msg.seq });
      return;
    }
    if (parsed?.kind === 'session') await onSessionMessage(parsed.track, payload as EdgeSessionMessage);
    else if (parsed?.kind === 'passing') await onPassing(parsed.track, payload as EdgePassing);
  }

  const messages = await consumer.consume({ max_messages: 256 });
  // Per track, in the edge's order; tracks side by side (keyed-queue.ts): a session opening at one track, waiting for
  // its owner, or a slow owner there, no longer holds every other track's passings.
  const queue = createKeyedQueue({ maxPending: 256 });
  const loop = (async () => {
    for await (const msg of messages) {
      await queue.add(parseEdgeSubject(msg.subject)?.track ?? '', async () => {
        // No owner yet, a takeover under way, RACE unreachable or full: retry this message in place, so session
        // events keep the edge's order.
        for (let attempt = 0; !stopping; attempt++) {
          try {
            await handle(msg);
            msg.ack();
            break;
          } catch (err) {
            // A session's owner is missing for a moment when it opens and during a takeover: say so only if it lasts.
            if (attempt === (isOwnerUnavailable(err) ? 10 : 0)) deps.log(`ingest: ${msg.subject} seq ${msg.seq}: ${(err as Error).message}; retrying`, { level: 'error', subject: msg.subject, streamSeq: msg.seq });
            msg.working();
            await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
          }
        }
      });
    }
    await queue.idle();
  })();

  return {
    openSessions: () => [...sessions.values()],
    consumer: consumerName,
    write,
    async openDeclared(declaration, session, msgId) {
      const { track, event } = declaration;
      const key = `${track}.${session}`;
      let declared = declaring.get(key);
      if (!declared) {
        if (sessions.has(key)) return 'live';
        openSession(track, event, session, declaration, undefined, 'wall');
        await saveOpenSessions();
        declared = declare(track, session, declaration, msgId).finally(() => declaring.delete(key));
        declaring.set(key, declared);
        declared.catch((err: Error) => deps.log(`ingest: ${key}: declaration not written: ${err.message}`, { level: 'error', track, session }));
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), OPEN_DECLARED_WAIT_MS)));
      const outcome = await Promise.race([declared.then(() => 'created' as const), late]).finally(() => clearTimeout(timer));
      if (outcome === 'late') throw new Error(`the session's host did not answer within ${OPEN_DECLARED_WAIT_MS} ms (the session opens when it does)`);
      return outcome;
    },
    updateDeclaration(declaration) {
      for (const s of sessions.values()) {
        if (s.track !== declaration.track || s.event !== declaration.event) continue;
        s.declaration = declaration;
        s.carOf = entryMatcher(declaration);
      }
    },
    async stop() {
      stopping = true;
      await messages.close();
      await loop;
    },
  };
}

import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { EventDeclaration } from '../../actors/contracts/declaration.ts';
import { readingMsgId, type ReadingId } from '../../actors/contracts/events.ts';
import type { GpsFix } from '../../actors/contracts/gps.ts';
import { createRiderTracker, DEFAULT_MAX_SPEED_MPS, type GpsCrossing, type RiderTracker } from '../../actors/gps/rider-tracker.ts';
import { virtualLines } from '../../actors/gps/virtual-line.ts';
import { takeOverEdgeConsumer } from '../epoch-consumer.ts';
import type { Ingest, OpenSession } from '../ingest.ts';
import type { Log } from '../log.ts';
import { counter, inputErrors, labelledCounter } from '../metrics.ts';
import type { IngestInput } from '../ownership/session-input.ts';
import { readFixMessage } from './fix-message.ts';

/**
 * GPS ingest: riders' fixes (`gps.<track>.<device>` in EDGE, published by the gateway) → crossings of the declared
 * virtual lines → session inputs in RACE, through the passing ingest's `write` (to the session's owner).
 *
 * A consumer of its own (`gps-ingest-<epoch>`, filter `gps.>`; nats-server 2.9 has no multi-filter consumers) under
 * the same `_ingest` lease as the passing ingest, whose open sessions it uses: a fix goes to the open session at its
 * track whose event is the fix's entry's event and whose entries hold its number; none → counted
 * (`pitwall_input_errors_total{kind="unassigned_fix"}`) and dropped. Fixes are checked per rider and session by a
 * tracker (actors/gps/rider-tracker.ts; verdicts counted in `pitwall_gps_fixes_total{verdict}`).
 *
 * A start-finish crossing is a `passing` of the entry; pit-in/pit-out lines a `line` input with that loop, sector lines
 * a `line` input with loop `other` (the session keeps them; sector times are not scored yet). Each carries a message
 * id from the reading `{device, boot: 'line-<id>', seq: <µs of the fix that closed the crossing>}`, so a redelivered
 * fix or a restarted ingest writes nothing twice (stream dedupe, and the actor's reading dedupe for passings).
 *
 * Trackers live in memory: a restart starts each rider afresh, from its next fix (the segment from the last fix before
 * the restart to the first after it is not searched, and a pending re-anchor is forgotten).
 */
export const GPS_INGEST_CONSUMER_PREFIX = 'gps-ingest';

export interface GpsIngestDeps {
  nc: NatsConnection;
  registry: Registry;
  log: Log;
  /** The passing ingest this runs beside: its open sessions and its `write`. */
  ingest: Pick<Ingest, 'openSessions' | 'write'>;
  epoch: number;
}

export interface GpsIngest {
  consumer: string;
  stop(): Promise<void>;
}

interface Tracked {
  declaration: EventDeclaration;
  tracker: RiderTracker;
}

const LOOP_OF = { 'pit-in': 'pit-in', 'pit-out': 'pit-out', sector: 'other' } as const;

/** The session input a crossing of `car` becomes, with its message id. */
export function crossingInput(fix: GpsFix, car: string, c: GpsCrossing): { input: IngestInput; msgId: string } {
  const reading: ReadingId = { device: fix.device, boot: `line-${c.line}`, seq: c.closedAtUs };
  const msgId = `in:${readingMsgId(reading)}`;
  if (c.kind === 'start-finish') return { input: { kind: 'passing', atUs: c.atUs, car, precisionUs: c.precisionUs, reading }, msgId };
  return { input: { kind: 'line', atUs: c.atUs, car, line: c.line, loop: LOOP_OF[c.kind] }, msgId };
}

export async function startGpsIngest(deps: GpsIngestDeps): Promise<GpsIngest> {
  const errors = inputErrors(deps.registry);
  const verdicts = labelledCounter(deps.registry, 'pitwall_gps_fixes_total', 'GPS fixes by what the tracker made of them (accepted, duplicate, old, outlier, reanchored)', ['verdict']);
  const jitterCount = counter(deps.registry, 'pitwall_gps_jitter_crossings_total', 'Virtual-line crossings dropped as GPS jitter (the same line again within 5 s)');
  const jsm = await jetstreamManager(deps.nc);
  const consumerName = await takeOverEdgeConsumer(jsm, { prefix: GPS_INGEST_CONSUMER_PREFIX, epoch: deps.epoch, filterSubject: 'gps.>' });
  const consumer = await jetstream(deps.nc).consumers.get('EDGE', consumerName);
  const trackers = new Map<string, Tracked>(); // `${track}.${session}.${device}` →
  let stopping = false;

  /** The one open session this fix belongs to, or undefined (none, or several) after counting it. */
  function sessionOf(track: string, fix: GpsFix): OpenSession | undefined {
    const matches = deps.ingest
      .openSessions()
      .filter((s) => s.track === track && s.event === fix.entry.event && s.declaration.entries.some((e) => e.number === fix.entry.number));
    if (matches.length === 1) return matches[0];
    errors.inc({ kind: 'unassigned_fix' });
    return undefined;
  }

  /** The crossings one fix makes, as session inputs (the tracker advances once per message, whatever the retries). */
  function crossingsOf(msg: JsMsg): { track: string; session: string; inputs: { input: IngestInput; msgId: string }[] } | undefined {
    const read = readFixMessage(msg.subject, msg.string());
    if (!read.ok) {
      errors.inc({ kind: 'bad_gps_fix' });
      deps.log(`gps ingest: ${msg.subject} (stream seq ${msg.seq}): ${read.reason}: skipped`, { level: 'warn', subject: msg.subject, streamSeq: msg.seq });
      return undefined;
    }
    const { track, fix } = read;
    const session = sessionOf(track, fix);
    if (!session) return undefined;
    const key = `${track}.${session.session}.${fix.device}`;
    let tracked = trackers.get(key);
    if (tracked?.declaration !== session.declaration) {
      // New rider, or the declaration changed (its lines or outlier speed): the rider starts afresh. Riders of
      // sessions no longer open are forgotten here, where the map grows.
      const open = deps.ingest.openSessions().map((s) => `${s.track}.${s.session}.`);
      for (const k of trackers.keys()) if (!open.some((prefix) => k.startsWith(prefix))) trackers.delete(k);
      tracked = {
        declaration: session.declaration,
        tracker: createRiderTracker({ lines: virtualLines(session.declaration.timingLines), maxSpeedMps: session.declaration.gps?.maxSpeedMps ?? DEFAULT_MAX_SPEED_MPS }),
      };
      trackers.set(key, tracked);
    }
    const result = tracked.tracker.add(fix);
    verdicts.inc({ verdict: result.verdict });
    if (result.jitter > 0) jitterCount.inc(result.jitter);
    return { track, session: session.session, inputs: result.crossings.map((c) => crossingInput(fix, fix.entry.number, c)) };
  }

  const messages = await consumer.consume({ max_messages: 256 });
  const loop = (async () => {
    for await (const msg of messages) {
      let planned: ReturnType<typeof crossingsOf>;
      try {
        planned = crossingsOf(msg);
      } catch (err) {
        // A fix the tracker cannot take must not stop the riders behind it: counted, logged, terminated.
        errors.inc({ kind: 'gps_fix_failed' });
        deps.log(`gps ingest: ${msg.subject} (stream seq ${msg.seq}): ${(err as Error).message}: skipped`, { level: 'error', subject: msg.subject, streamSeq: msg.seq });
        msg.term();
        continue;
      }
      // The owner missing for a moment (a session opening, a takeover), RACE unreachable: retry the writes in place.
      for (let attempt = 0; !stopping; attempt++) {
        try {
          for (const { input, msgId } of planned?.inputs ?? []) await deps.ingest.write(planned!.track, planned!.session, input, msgId);
          msg.ack();
          break;
        } catch (err) {
          if (attempt === 0) deps.log(`gps ingest: ${msg.subject} seq ${msg.seq}: ${(err as Error).message}; retrying`, { level: 'warn', subject: msg.subject, streamSeq: msg.seq });
          msg.working();
          await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        }
      }
    }
  })();

  return {
    consumer: consumerName,
    async stop() {
      stopping = true;
      await messages.close();
      await loop;
    },
  };
}

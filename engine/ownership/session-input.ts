import { NoRespondersError, RequestError, TimeoutError, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { SessionInput } from '../../actors/contracts/events.ts';
import { subjects } from '../../actors/contracts/subjects.ts';

/**
 * The owner of a session is the one writer of its RACE events. Ingest (which runs on one engine, under the `_ingest`
 * lease) does not write them itself: it asks the owner over core NATS, `engine.input.<track>.<session>`, and the owner
 * writes the input with its own lease epoch. No owner (it died, or is being taken over) → no reply → ingest retries
 * the same EDGE message in place, so the session's inputs keep the edge's order across a takeover.
 *
 * Ingest is fenced too: a request carries the epoch of the `_ingest` lease it was sent under, and an owner refuses a
 * request older than the newest it has seen (an ingest that was paused and resumed); the newer ingest re-sends what
 * counts from its own consumer position.
 */

/**
 * The inputs ingest writes: declarations, session verbs, flags, ticks and passings, and what an RMonitor feed adds
 * (crossings, seeds, pit lines, car status, the program's positions and agreement: engine/rmonitor-ingest.ts), and
 * a note for the control log when start lights report a jump start.
 */
export type IngestInput = SessionInput;

export interface InputRequest {
  input: IngestInput;
  /** Identifies the reading it came from; the owner adds its epoch, so JetStream drops a repeat under one owner. */
  msgId: string;
  /** Epoch of the `_ingest` lease the sender holds. */
  ingest: number;
}

export type InputReply = { seq: number } | { error: string; code: 'catching-up' | 'not-owner' | 'stale-ingest' | 'bad-request' | 'write-failed' };

export class InputRefusedError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'InputRefusedError';
    this.code = code;
  }
}

/** Asks the owner of `track/session` to write `request`; resolves with the RACE sequence, rejects when refused or unanswered. */
export async function requestInput(nc: NatsConnection, track: string, session: string, request: InputRequest, timeoutMs: number): Promise<number> {
  const msg = await nc.request(subjects.sessionInput(track, session), JSON.stringify(request), { timeout: timeoutMs });
  const reply = msg.json<InputReply>();
  if ('error' in reply) throw new InputRefusedError(`owner of ${track}/${session}: ${reply.error}`, reply.code);
  return reply.seq;
}

/** The owner is not there yet (no engine answers, or its host is still catching up): wait, as during a takeover. */
export function isOwnerUnavailable(err: unknown): boolean {
  if (err instanceof InputRefusedError) return err.code === 'catching-up';
  const cause = err instanceof RequestError ? err.cause : err;
  return cause instanceof NoRespondersError || cause instanceof TimeoutError || err instanceof TimeoutError;
}

export interface InputServer {
  stop(): void;
}

/**
 * Answers input requests for one owned session, one at a time in arrival order. `write` publishes to RACE with the
 * owner's epoch and resolves with the stream sequence; `ready` is false until the host has replayed up to its own
 * ownership marker (before that it cannot know what the earlier owner already wrote). `owner` is the host's own
 * check (lease valid on its clock, no newer owner seen): a request it fails, or one from a stale ingest, is refused
 * and reported to `refused`. The check narrows the window, the fence closes it: a write already past it when the
 * process froze lands after the new owner's marker and is ignored by every reader.
 */
export function serveInputs(
  deps: {
    nc: NatsConnection;
    write(input: IngestInput, msgId: string): Promise<number>;
    ready(): boolean;
    owner(): boolean;
    refused(): void;
  },
  ref: { track: string; session: string },
): InputServer {
  let newestIngest = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const answer = async (data: Uint8Array): Promise<InputReply> => {
    let request: InputRequest;
    try {
      request = JSON.parse(new TextDecoder().decode(data)) as InputRequest;
      if (typeof request.msgId !== 'string' || typeof request.ingest !== 'number' || typeof request.input?.kind !== 'string') throw new Error('needs input, msgId and ingest');
    } catch (err) {
      return { error: `bad input request: ${(err as Error).message}`, code: 'bad-request' };
    }
    if (!deps.owner()) {
      deps.refused();
      return { error: 'this engine no longer owns the session', code: 'not-owner' };
    }
    if (request.ingest < newestIngest) {
      deps.refused();
      return { error: `ingest epoch ${request.ingest} is older than ${newestIngest}`, code: 'stale-ingest' };
    }
    if (!deps.ready()) return { error: 'catching up with RACE', code: 'catching-up' };
    newestIngest = request.ingest;
    try {
      return { seq: await deps.write(request.input, request.msgId) };
    } catch (err) {
      return { error: (err as Error).message, code: 'write-failed' };
    }
  };
  const sub: Subscription = deps.nc.subscribe(subjects.sessionInput(ref.track, ref.session), {
    callback: (err, msg) => {
      if (err) return;
      queue = queue.then(async () => msg.respond(JSON.stringify(await answer(msg.data))));
    },
  });
  return { stop: () => sub.unsubscribe() };
}

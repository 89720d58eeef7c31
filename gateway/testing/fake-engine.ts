import { decode, encode } from '@msgpack/msgpack';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { SessionView, ViewDiffMessage, ViewSnapshotMessage } from '../../actors/contracts/view.ts';
import { diffView } from '../../actors/contracts/view-diff.ts';

export interface FakeEngine {
  /** The engine's current view and seq: what every client should end up with. */
  view(): SessionView;
  seq(): number;
  /**
   * Moves the view to `next` and publishes the diff with the next seq (nothing when nothing changed).
   * `lose: true` applies the change and takes the seq without publishing: subscribers see a gap next time.
   * Resolves once the NATS server has the message.
   */
  update(next: SessionView, opts?: { lose?: boolean }): Promise<void>;
  /** Publishes `engine.<node>.health` listing this session as live (as the engine does every second). */
  health(): Promise<void>;
  /** Snapshot requests answered so far. */
  snapshotRequests(): number;
  stop(): Promise<void>;
}

/**
 * Stands in for the engine's session actor on NATS (use the `engine` user): answers
 * `view.snapshot.<track>.<session>` with MessagePack `{seq, view}` and publishes `view.<track>.<session>` diffs
 * built with the contract's diffView. For gateway tests and, later, to compare with the real engine.
 */
export async function startFakeEngine(nc: NatsConnection, opts: { view: SessionView; node?: string; seq?: number }): Promise<FakeEngine> {
  const { track, session } = opts.view;
  const node = opts.node ?? 'fake-engine';
  let view = structuredClone(opts.view);
  let seq = opts.seq ?? 1;
  let requests = 0;
  const sub = nc.subscribe(subjects.viewSnapshot(track, session), {
    callback: (err, msg) => {
      if (err) return;
      requests += 1;
      const reply: ViewSnapshotMessage = { seq, view };
      msg.respond(encode(reply));
    },
  });
  await nc.flush(); // the responder is known to the server before anyone asks
  return {
    view: () => structuredClone(view),
    seq: () => seq,
    async update(next, updateOpts = {}) {
      const diff = diffView(view, next);
      if (!diff) return;
      view = structuredClone(next);
      seq += 1;
      if (updateOpts.lose) return;
      const message: ViewDiffMessage = { seq, diff };
      nc.publish(subjects.view(track, session), encode(message));
      await nc.flush();
    },
    async health() {
      const { event, name, type, state } = view;
      nc.publish(subjects.engineHealth(node), JSON.stringify({ node, sessions: [{ track, event, session, name, type, state }] }));
      await nc.flush();
    },
    snapshotRequests: () => requests,
    async stop() {
      sub.unsubscribe();
      await nc.flush();
    },
  };
}

/** Decodes a view diff message as a gateway would (for tests that listen on NATS directly). */
export const decodeViewDiff = (data: Uint8Array) => decode(data) as ViewDiffMessage;

import { encode } from '@msgpack/msgpack';
import { connect } from '@nats-io/transport-node';
import { subjects } from '../../../actors/contracts/subjects.ts';
import type { SessionView, ViewDiff, ViewDiffMessage, ViewSnapshotMessage } from '../../../actors/contracts/view.ts';
import { applyViewDiff, diffView } from '../../../actors/contracts/view-diff.ts';
import { runSource } from '../control.ts';
import { SESSION, TRACK } from '../payload.ts';
import { createRace } from '../race.ts';

/**
 * Pitwall's engine side for the benchmark, adapted from gateway/testing/fake-engine.ts: answers
 * `view.snapshot.<track>.<session>` and publishes `view.<track>.<session>` MessagePack `{seq, diff}` on real NATS.
 * Natural runs coalesce passings into one diff per 100 ms tick, as the session actor does (DESIGN §5); transport
 * runs publish one diff per tick of the shared payload.
 */
const COALESCE_MS = 100;
const nc = await connect({ servers: process.env.NATS_URL, user: process.env.NATS_USER, pass: process.env.NATS_PASS, name: 'bench-engine' });
let view: SessionView = createRace(() => undefined).view(); // the race's starting grid: the same first view
let published: SessionView = view;
let seq = 1;
let diffs = 0;

nc.subscribe(subjects.viewSnapshot(TRACK, SESSION), {
  callback: (err, msg) => {
    if (err) return;
    const reply: ViewSnapshotMessage = { seq, view: published };
    msg.respond(encode(reply));
  },
});
await nc.flush();

const publishDiff = (diff: ViewDiff) => {
  seq += 1;
  diffs += 1;
  const message: ViewDiffMessage = { seq, diff };
  nc.publish(subjects.view(TRACK, SESSION), encode(message));
};

let dirty = false;
setInterval(() => {
  if (!dirty) return;
  dirty = false;
  const diff = diffView(published, view);
  published = view;
  if (diff) publishDiff(diff);
}, COALESCE_MS);

process.send?.({ type: 'ready', port: 0 });
runSource({
  transport: (diff) => {
    view = applyViewDiff(view, diff);
    published = view;
    publishDiff(diff);
  },
  passing: (_prev, next) => {
    view = next;
    dirty = true;
  },
  stats: () => ({ diffsPublished: diffs }),
  stop: () => nc.close(),
});

import { createEdgePublisher, untilDelivered, type EdgePublisher, type EdgePublisherDeps } from '../edge-publisher.ts';
import { playPaced, type PaceDeps, type Speed } from '../pace.ts';
import type { JsonlRecord } from './records.ts';
import { jsonlToEdge } from './to-edge.ts';

export interface JsonlReplayOptions {
  track: string;
  device: string;
  speed: Speed;
}

export interface JsonlReplaySummary {
  passings: number;
  /** Session changes, flags and clock ticks. */
  sessionMessages: number;
  /** Records an edge device does not publish (jsonl/to-edge.ts), by why. */
  skipped: Record<string, number>;
}

export interface JsonlReplay {
  /** Resolves when every record was published and acknowledged (or the replay was stopped). */
  done: Promise<JsonlReplaySummary>;
  publisher: EdgePublisher;
  /** Stops producing and sending; unacknowledged readings stay in a disk outbox. */
  stop(): Promise<void>;
}

/**
 * Publishes a JSON-lines file's records to EDGE as an edge device (`pitwall edge replay-jsonl`), paced by their
 * times at `speed` (the first record at once), with the same publisher as the simulator. The records keep their
 * times: the session clock is the file's.
 */
export function createJsonlReplay(deps: PaceDeps & EdgePublisherDeps, records: JsonlRecord[], opts: JsonlReplayOptions): JsonlReplay {
  const publisher = createEdgePublisher(deps, { track: opts.track, device: opts.device });
  const summary: JsonlReplaySummary = { passings: 0, sessionMessages: 0, skipped: {} };
  const timed = records.filter((r): r is Exclude<JsonlRecord, { type: 'declaration' }> => r.type !== 'declaration');
  const paced = playPaced(deps, timed, opts.speed, async (record) => {
    const message = jsonlToEdge(record);
    if ('skipped' in message) {
      summary.skipped[message.skipped] = (summary.skipped[message.skipped] ?? 0) + 1;
      return;
    }
    await publisher.publish(message);
    if (message.kind === 'passing') summary.passings++;
    else summary.sessionMessages++;
  });
  return untilDelivered(paced, publisher, summary);
}

import { DiscardPolicy, jetstreamManager, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAM_SUBJECTS } from '../actors/contracts/subjects.ts';

/**
 * The JetStream streams and KV buckets of DESIGN §4, defined in one place with limits from day one.
 *
 * Both streams refuse new messages when full (`discard: new`) instead of silently dropping old ones: a full EDGE
 * makes the edge keep readings in its outbox; a full RACE stops the engine loudly rather than losing history that
 * the lap sink has not archived yet.
 */

const SECOND_NS = 1_000_000_000;
const DAY_NS = 86_400 * SECOND_NS;

export interface StreamLimits {
  edgeMaxAgeDays: number;
  edgeMaxBytes: number;
  raceMaxAgeDays: number;
  raceMaxBytes: number;
  /** Window in which EDGE drops a re-published message id (edge retries after a lost ack). */
  edgeDuplicateWindowSec: number;
  /** Window in which RACE drops a re-written event id (ingest and actors re-run after a restart). */
  raceDuplicateWindowSec: number;
  /** Size limit of each KV bucket. */
  bucketMaxBytes: Record<BucketName, number>;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  edgeMaxAgeDays: 7,
  edgeMaxBytes: 2 * 1024 ** 3,
  raceMaxAgeDays: 30,
  raceMaxBytes: 4 * 1024 ** 3,
  edgeDuplicateWindowSec: 120,
  raceDuplicateWindowSec: 120,
  bucketMaxBytes: { events: 256 * 1024 ** 2, 'session-state': 1024 ** 3, 'session-owner': 16 * 1024 ** 2, identity: 256 * 1024 ** 2 },
};

export function streamConfigs(limits: StreamLimits = DEFAULT_STREAM_LIMITS): (Partial<StreamConfig> & { name: string })[] {
  return [
    {
      name: 'EDGE',
      subjects: [...STREAM_SUBJECTS.EDGE],
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_age: limits.edgeMaxAgeDays * DAY_NS,
      max_bytes: limits.edgeMaxBytes,
      max_msg_size: 256 * 1024,
      duplicate_window: limits.edgeDuplicateWindowSec * SECOND_NS,
    },
    {
      name: 'RACE',
      subjects: [...STREAM_SUBJECTS.RACE],
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_age: limits.raceMaxAgeDays * DAY_NS,
      max_bytes: limits.raceMaxBytes,
      max_msg_size: 1024 * 1024,
      duplicate_window: limits.raceDuplicateWindowSec * SECOND_NS,
    },
  ];
}

/** KV buckets and how many revisions of a key each keeps: earlier declarations for audit; state and leases only the latest. */
export const KV_BUCKETS = {
  events: { history: 10 },
  'session-state': { history: 1 },
  'session-owner': { history: 1 },
  identity: { history: 1 },
} as const;
export type BucketName = keyof typeof KV_BUCKETS;

/** Creates the streams and buckets, or updates their limits when they exist (idempotent). Needs the engine or admin user. */
export async function ensureStreams(nc: NatsConnection, limits: StreamLimits = DEFAULT_STREAM_LIMITS): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const config of streamConfigs(limits)) {
    const exists = await jsm.streams.info(config.name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(config.name, config);
    else await jsm.streams.add(config);
  }
  const kvm = new Kvm(nc);
  for (const [name, { history }] of Object.entries(KV_BUCKETS)) {
    await kvm.create(name, { history, max_bytes: limits.bucketMaxBytes[name as BucketName] });
  }
}

import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { Log } from './log.ts';
import type { ClickHouseHttp } from './clickhouse/http.ts';
import { counter, inputErrors } from './metrics.ts';

/**
 * A durable consumer on a stream that inserts what it reads into a ClickHouse table in batches and acknowledges a
 * batch only after ClickHouse took it. While ClickHouse is down it retries the same batch with backoff; nothing is
 * acknowledged that was not inserted. A batch inserted twice (a lost acknowledgement) is harmless: the tables are
 * ReplacingMergeTrees keyed on what identifies a row.
 */
/** What a sink needs: the engine's NATS connection, ClickHouse, the metrics registry and a log. */
export interface SinkDeps {
  nc: NatsConnection;
  clickhouse: ClickHouseHttp;
  registry: Registry;
  log: Log;
}

export interface BatchSinkOptions {
  stream: string;
  consumer: string;
  filterSubject: string;
  table: string;
  /** The row for a message, or undefined for an undecodable one (counted, skipped). */
  toRow(msg: JsMsg): object | undefined;
  /** Rows per insert at most (default 500). */
  batch?: number;
  /** How long a message waits in the sink for its batch to fill before the batch is inserted anyway (default 100 ms). */
  maxWaitMs?: number;
}

export interface BatchSink {
  /** Rows inserted so far. */
  inserted(): number;
  stop(): Promise<void>;
}

export async function startBatchSink(
  deps: SinkDeps,
  opts: BatchSinkOptions,
): Promise<BatchSink> {
  const name = opts.consumer;
  const errors = inputErrors(deps.registry);
  const insertedTotal = counter(deps.registry, `pitwall_${opts.table}_inserted_total`, `Rows inserted into ClickHouse ${opts.table}`);
  const jsm = await jetstreamManager(deps.nc);
  await jsm.consumers.add(opts.stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: opts.filterSubject,
    ack_wait: 30_000_000_000,
  });
  const consumer = await jetstream(deps.nc).consumers.get(opts.stream, name);
  let inserted = 0;
  let stopping = false;

  async function insertBatch(msgs: JsMsg[]): Promise<void> {
    const rows: object[] = [];
    for (const msg of msgs) {
      const row = (() => {
        try {
          return opts.toRow(msg);
        } catch {
          return undefined;
        }
      })();
      if (row) rows.push(row);
      else {
        errors.inc({ kind: `bad_${opts.table}_message` });
        deps.log(`${name}: undecodable message at ${opts.stream} seq ${msg.seq}: skipped`);
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.clickhouse.insert(opts.table, rows);
        break;
      } catch (err) {
        if (stopping) throw err;
        if (attempt === 0) deps.log(`${name}: ${(err as Error).message}; retrying`);
        // The batch being retried and the one filling behind it stay ours while ClickHouse is down (ack_wait 30 s).
        msgs.forEach((m) => m.working());
        pending.forEach((m) => m.working());
        await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
      }
    }
    msgs.forEach((m) => m.ack());
    inserted += rows.length;
    insertedTotal.inc(rows.length);
  }

  // Messages flow in continuously (a pull consumer that re-pulls as it is read); a batch goes to ClickHouse when it
  // is full or `maxWaitMs` after its first message, whichever comes first, while the next one fills. A fetch of a
  // fixed size held every message until the batch filled or the 1 s pull expired: a start burst waited ~0.5 s on
  // average in the sink (bench/system/lap-sink.ts). One insert runs at a time; a full batch waits for the one in flight,
  // which stops reading, so at most two batches (and the consumer's read-ahead) are unacknowledged.
  const batchSize = opts.batch ?? 500;
  const maxWaitMs = opts.maxWaitMs ?? 100;
  let pending: JsMsg[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const msgs = pending;
    pending = [];
    if (msgs.length > 0) inFlight = inFlight.then(() => insertBatch(msgs)).catch(() => undefined); // throws only when stopping
    return inFlight;
  };
  let messages: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  const loop = (async () => {
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_messages: batchSize });
        if (stopping) messages.stop(); // stop() came while the consumer was being set up
        for await (const msg of messages) {
          pending.push(msg);
          if (pending.length >= batchSize) {
            await inFlight;
            void flush();
          } else timer ??= setTimeout(() => void flush(), maxWaitMs);
        }
      } catch (err) {
        if (!stopping) deps.log(`${name}: reading ${opts.stream}: ${(err as Error).message}; retrying`);
      }
      if (!stopping) await new Promise((r) => setTimeout(r, 1000));
    }
    await flush();
  })();

  return {
    inserted: () => inserted,
    async stop() {
      stopping = true;
      messages?.stop();
      await loop;
    },
  };
}

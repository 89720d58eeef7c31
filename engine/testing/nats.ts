import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Test } from 'tap';
import { binarySearchFromEnv, requireBinaries } from '../servers/binaries.ts';
import { startNats, type NatsServer } from '../servers/nats.ts';
import type { NatsCredentials, ServiceRole } from '../servers/nats-users.ts';
import { ensureStreams, type StreamLimits } from '../streams.ts';

/** Small limits so tests can fill a stream. */
export const TEST_STREAM_LIMITS: StreamLimits = {
  edgeMaxAgeDays: 1,
  edgeMaxBytes: 64 * 1024 ** 2,
  raceMaxAgeDays: 1,
  raceMaxBytes: 64 * 1024 ** 2,
  edgeDuplicateWindowSec: 120,
  raceDuplicateWindowSec: 120,
  bucketMaxBytes: { events: 16 * 1024 ** 2, 'session-state': 64 * 1024 ** 2, 'session-owner': 1024 ** 2, identity: 16 * 1024 ** 2 },
};

export interface TestNats {
  /** The running server (a new one after `restart`). */
  readonly server: NatsServer;
  /** Stops the server (an outage); `restart` starts it again on the same port with the same store. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** A connection as one of the service users; closed when the test ends. */
  connectAs(role: ServiceRole): Promise<NatsConnection>;
  /** A connection with explicit credentials (an edge device's); closed when the test ends. */
  connectWith(credentials: NatsCredentials): Promise<NatsConnection>;
  dataDir: string;
}

/**
 * A real nats-server for one test file: random port, temp dir, streams and buckets created, stopped by PID and the
 * directory removed at teardown. Also stops by itself if the test process dies (see server-process.ts).
 */
export async function startTestNats(t: Test, opts: { streams?: boolean; limits?: StreamLimits } = {}): Promise<TestNats> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-nats-'));
  const bins = requireBinaries(['nats-server'], binarySearchFromEnv(process.env), (l) => t.comment(l));
  let server = await startNats({ binary: bins['nats-server'], dataDir, port: 'random', maxFileStore: '1G' });
  const connections: NatsConnection[] = [];
  t.teardown(async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    await server.stop();
    // maxRetries: the removal sometimes meets ENOTEMPTY right after the server exits (seen on this machine's /tmp).
    fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });
  const connectWith = async (credentials: NatsCredentials) => {
    const nc = await connect({ servers: server.url, ...credentials, name: `test ${credentials.user}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    connections.push(nc);
    return nc;
  };
  if (opts.streams !== false) {
    const admin = await connectWith(server.credentials('admin'));
    await ensureStreams(admin, opts.limits ?? TEST_STREAM_LIMITS);
  }
  return {
    get server() {
      return server;
    },
    stop: () => server.stop(),
    async restart() {
      server = await startNats({ binary: bins['nats-server'], dataDir, port: server.port, maxFileStore: '1G' });
    },
    dataDir,
    connectWith,
    connectAs: (role) => connectWith(server.credentials(role)),
  };
}

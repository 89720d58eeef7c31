import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { binarySearchFromEnv, requireBinaries } from '../../../engine/servers/binaries.ts';
import { startNats, type NatsServer } from '../../../engine/servers/nats.ts';
import { DEFAULT_STREAM_LIMITS, ensureStreams } from '../../../engine/streams.ts';

/**
 * A throwaway real nats-server for one scenario: 127.0.0.1, random port, temp directory, the engine's streams and
 * buckets with their production limits (engine/streams.ts), and one connection as the engine's user. `stop` closes the
 * connection, kills the server by its PID and removes the directory.
 */
export interface BenchNats {
  readonly server: NatsServer;
  /** Connected as the engine (the role that writes RACE and KV session-state); a new one after `restart`. */
  readonly nc: NatsConnection;
  /** Stops the server and starts it again on the same store (what an engine restart finds after an outage). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchNats(log: (line: string) => void): Promise<BenchNats> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-rebuild-'));
  const remove = () => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  let server: NatsServer | undefined;
  try {
    const bins = requireBinaries(['nats-server'], binarySearchFromEnv(process.env), log);
    server = await startNats({ binary: bins['nats-server'], dataDir, port: 'random', maxFileStore: '10G' });
    const admin = await connect({ servers: server.url, ...server.credentials('admin') });
    await ensureStreams(admin, DEFAULT_STREAM_LIMITS);
    await admin.close();
    const engine = (on: NatsServer) => connect({ servers: on.url, ...on.credentials('engine'), name: 'bench actor-rebuild' });
    let running = server;
    let nc = await engine(running);
    return {
      get server() {
        return running;
      },
      get nc() {
        return nc;
      },
      async restart() {
        await nc.close().catch(() => undefined);
        await running.stop();
        running = server = await startNats({ binary: bins['nats-server'], dataDir, port: running.port, maxFileStore: '10G' });
        nc = await engine(running);
      },
      async stop() {
        await nc.close().catch(() => undefined);
        await running.stop();
        remove();
      },
    };
  } catch (err) {
    await server?.stop();
    remove();
    throw err;
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import { canConnect } from './ports.ts';
import { awaitReady, spawnServer, type ServerProcess } from './server-process.ts';
import { natsSecretsFile, natsUsersFile, registerEdgeDevice } from './edge-devices.ts';
import { loadOrCreateSecrets, renderUsersConf, serviceCredentials, type NatsCredentials, type ServiceRole } from './nats-users.ts';

/** Connection options of services: a NATS restart or outage of any length is waited out (the default gives up after ~20 s). */
export const KEEP_RECONNECTING = { maxReconnectAttempts: -1, reconnectTimeWait: 1000 } as const;

export interface NatsServerOptions {
  /** Absolute path of the nats-server binary. */
  binary: string;
  /** Holds nats/ (config, JetStream store, log) and secrets/nats.json. */
  dataDir: string;
  /** A fixed port, or 'random' (the server picks one and reports it in its ports file). */
  port: number | 'random';
  /** JetStream's disk limit, in nats units (e.g. "10G"). */
  maxFileStore?: string;
  lifetime?: 'owner' | { maxLifetimeSec: number };
  readyTimeoutMs?: number;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly process: ServerProcess;
  credentials(role: ServiceRole): NatsCredentials;
  /** Creates (or returns) the NATS user of an edge device and reloads the server so it can log in. */
  addEdgeDevice(track: string, device: string): Promise<NatsCredentials>;
  stop(): Promise<void>;
}

/** Starts nats-server with JetStream from the repository's nats.conf; resolves once it accepts connections. */
export async function startNats(opts: NatsServerOptions): Promise<NatsServer> {
  const dir = path.join(opts.dataDir, 'nats');
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir, { recursive: true });
  for (const stale of fs.readdirSync(runDir)) fs.rmSync(path.join(runDir, stale), { force: true });

  const secrets = loadOrCreateSecrets(natsSecretsFile(opts.dataDir));
  const confFile = path.join(dir, 'nats.conf');
  fs.copyFileSync(path.join(REPO_ROOT, 'nats.conf'), confFile);
  fs.writeFileSync(natsUsersFile(opts.dataDir), renderUsersConf(secrets), { mode: 0o600 });

  const server = spawnServer({
    name: 'nats',
    command: opts.binary,
    args: ['-c', confFile, '--ports_file_dir', runDir],
    cwd: dir,
    env: {
      ...process.env,
      PITWALL_NATS_HOST: '127.0.0.1',
      PITWALL_NATS_PORT: String(opts.port === 'random' ? -1 : opts.port),
      PITWALL_NATS_STORE: path.join(dir, 'jetstream'),
      PITWALL_NATS_MAX_FILE: opts.maxFileStore ?? '10G',
    },
    logFile: path.join(dir, 'nats.log'),
    lifetime: opts.lifetime ?? 'owner',
  });

  let port = 0;
  await awaitReady(
    server,
    async () => {
      port ||= readPortsFile(path.join(runDir, `${path.basename(opts.binary)}_${server.pid}.ports`));
      return port > 0 && (await canConnect(port));
    },
    opts.readyTimeoutMs ?? 15_000,
  );

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: server.pid,
    process: server,
    credentials: (role) => serviceCredentials(secrets, role),
    addEdgeDevice: (track, device) =>
      registerEdgeDevice({ dataDir: opts.dataDir, natsUrl: `nats://127.0.0.1:${port}`, natsPid: server.pid, track, device }),
    stop: () => server.stop(),
  };
}

/** nats-server writes `{"nats": ["nats://host:port"]}` once it listens. */
function readPortsFile(file: string): number {
  try {
    const ports = JSON.parse(fs.readFileSync(file, 'utf8')) as { nats?: string[] };
    const url = ports.nats?.[0];
    return url ? Number(new URL(url).port) : 0;
  } catch {
    return 0;
  }
}

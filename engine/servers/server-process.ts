import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { ServerStartError } from '../errors.ts';

/**
 * A server program (nats-server, clickhouse-server) run as a child process.
 *
 * Contract: the server runs in its own process group, so a Ctrl-C at the terminal reaches only `pitwall`, which then
 * stops the servers in reverse order. Whatever happens to its owner, the server stops by itself: either a watchdog
 * kills it when the owning Node process dies (`lifetime: 'owner'`), or it is killed after `maxLifetimeSec`
 * (`lifetime: {maxLifetimeSec}`, for a server that must outlive the process that started it, such as the test
 * ClickHouse started by tap's `before` script). It is always stopped by its own PID.
 */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last few kilobytes the server wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnServerOptions {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the server's output also goes (required for servers that outlive their owner). */
  logFile?: string;
  lifetime: 'owner' | { maxLifetimeSec: number };
}

const OUTPUT_TAIL_BYTES = 16 * 1024;

export function spawnServer(opts: SpawnServerOptions): ServerProcess {
  const outlivesOwner = opts.lifetime !== 'owner';
  const logFd = opts.logFile ? fs.openSync(opts.logFile, 'a') : undefined;
  const stdio: ('ignore' | 'pipe' | number)[] = outlivesOwner
    ? ['ignore', logFd ?? 'ignore', logFd ?? 'ignore']
    : ['ignore', 'pipe', 'pipe'];
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio,
    detached: true, // own process group: terminal signals go to pitwall only
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  if (child.pid === undefined) {
    // spawn failed (ENOENT, EACCES): the details arrive as an 'error' event, which must not go unhandled
    child.once('error', () => undefined);
    throw new ServerStartError(opts.name, `could not run ${opts.command}`, '');
  }
  const pid = child.pid;

  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    if (opts.logFile && !outlivesOwner) fs.appendFile(opts.logFile, chunk, () => undefined);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal })); // after stdout and stderr are drained
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const watchdog = startWatchdog(pid, opts.lifetime);
  if (outlivesOwner) child.unref();

  return {
    name: opts.name,
    pid,
    exited,
    output: () => (opts.logFile && outlivesOwner ? readTail(opts.logFile) : tail),
    async stop(graceMs = 3000) {
      watchdog?.kill('SIGKILL');
      if (!isAlive(pid)) return;
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
      await (outlivesOwner ? waitUntilGone(pid) : exited);
      clearTimeout(timer);
    },
  };
}

/**
 * The watchdog is a tiny shell that kills the server by PID when its stdin closes (the owner died: the kernel
 * closes the pipe) or when the maximum lifetime is over. It ignores SIGINT so a terminal Ctrl-C leaves the orderly
 * shutdown to pitwall.
 */
function startWatchdog(pid: number, lifetime: SpawnServerOptions['lifetime']): ChildProcess | undefined {
  const script =
    lifetime === 'owner'
      ? 'trap "" INT; read -r _; kill -9 "$1" 2>/dev/null'
      : `trap "" INT; sleep ${Math.ceil(lifetime.maxLifetimeSec)}; kill -9 "$1" 2>/dev/null`;
  const watchdog = spawn('bash', ['-c', script, 'pitwall-watchdog', String(pid)], {
    stdio: [lifetime === 'owner' ? 'pipe' : 'ignore', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog.on('error', () => undefined);
  return watchdog;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** For a process that is not our child (started by another process): poll until the PID is gone. */
export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && !isZombie(pid) && Date.now() < deadline) await delay(20);
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Kills a server we did not start ourselves (e.g. the test ClickHouse) by its PID. */
export async function killByPid(pid: number): Promise<void> {
  signal(pid, 'SIGKILL');
  await waitUntilGone(pid);
}

function readTail(file: string): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-OUTPUT_TAIL_BYTES);
  } catch {
    return '';
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `isReady()` says yes, polling; fails with the server's own output when the process exits first or
 * the deadline passes (and then stops the server, so a failed start leaves nothing running).
 */
export async function awaitReady(
  server: ServerProcess,
  isReady: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void server.exited.then((e) => (exit = e));
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    if (exit) {
      throw new ServerStartError(
        server.name,
        `exited with ${exit.signal ?? `code ${exit.code}`} before it was ready`,
        server.output(),
      );
    }
    if (await isReady().catch(() => false)) return;
    if (Date.now() > deadline) {
      await server.stop(500);
      throw new ServerStartError(server.name, `not ready after ${timeoutMs} ms`, server.output());
    }
    await delay(wait);
  }
}

import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';

/**
 * Child processes of the benchmark: Node programs forked with IPC (tsx loader) or plain binaries, pinned to a core
 * with taskset, each with a hard lifetime, and stopped by their own PID (SIGTERM, then SIGKILL).
 */
export interface Child {
  pid: number;
  proc: ChildProcess;
  /** Sends a command and resolves with the first message of type `reply` (rejects after timeoutMs). */
  ask<T = Record<string, unknown>>(message: object, reply: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the next message of type `type`. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Pins every thread of `pid` to `cpu` (`taskset -a -p -c`); false when taskset is missing or refuses. */
export function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const children = new Set<Child>();

function wrap(proc: ChildProcess, name: string, lifetimeMs: number): Child {
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${name}: could not start`);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const killer = setTimeout(() => proc.kill('SIGKILL'), lifetimeMs);
  killer.unref();
  const next = <T>(type: string, timeoutMs = 30_000) => new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.off('message', onMessage);
      reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: { type?: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      proc.off('message', onMessage);
      resolve(m as T);
    };
    proc.on('message', onMessage);
  });
  const child: Child = {
    pid,
    proc,
    next,
    ask<T>(message: object, reply: string, timeoutMs?: number) {
      const answer = next<T>(reply, timeoutMs);
      proc.send(message);
      return answer;
    },
    async stop() {
      children.delete(child);
      clearTimeout(killer);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const hard = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(hard);
    },
  };
  children.add(child);
  return child;
}

/** Forks a TypeScript module of the benchmark with IPC; stderr passes through, prefixed by nothing (rare lines). */
export function forkTs(module: URL, name: string, opts: { env?: NodeJS.ProcessEnv; lifetimeMs: number; execArgv?: string[] }): Child {
  const proc = fork(module, [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=4096', ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return wrap(proc, name, opts.lifetimeMs);
}

export function spawnBinary(command: string, args: string[], name: string, lifetimeMs: number): Child {
  return wrap(spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] }), name, lifetimeMs);
}

/** Every child still running (for the final clean-up and the leftover check). */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop()));
}

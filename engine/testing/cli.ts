import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';

export const PITWALL_BIN = path.join(REPO_ROOT, 'engine', 'cli', 'pitwall.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pitwall <args>` to completion. */
export function runPitwall(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PITWALL_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningPitwall {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `re` (rejects if the process ends first). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts a long-running `pitwall <args>` (e.g. `up`); the test must stop it. */
export function startPitwall(args: string[], env: NodeJS.ProcessEnv = process.env): RunningPitwall {
  const child = spawn(process.execPath, [PITWALL_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d;
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    wake();
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLine(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no line matching ${re} after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        const check = () => {
          const match = stdout.split('\n').map((l) => re.exec(l)).find(Boolean);
          if (match) finish(undefined, match);
          else if (done) finish(new Error(`pitwall exited before printing ${re}; stderr:\n${stderr}`));
        };
        const finish = (err?: Error, match?: RegExpExecArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(match!);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** PIDs of live processes (not zombies) whose command line mentions `text` (e.g. a test's data directory). */
export function processesMentioning(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        if (/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${p}/stat`, 'utf8'))) return false;
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

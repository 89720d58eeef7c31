import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { SessionView } from '../../../actors/contracts/view.ts';

/** Debian's Python, which has python3-websockets and python3-msgpack (a pyenv python3 on PATH may not). */
export const PYTHON = process.env.PITWALL_PYTHON ?? '/usr/bin/python3';
const CLIENT = fileURLToPath(new URL('../client.py', import.meta.url));

export interface PythonEvent {
  kind: string;
  seq?: number;
  expected?: number;
  got?: number;
  message?: string;
}

export interface PythonClient {
  /** Every `--events` line so far. */
  events: PythonEvent[];
  /** The seq of the last snapshot or diff applied. */
  lastSeq(): number | undefined;
  /** Closes its stdin (its stop signal) and resolves with its final object. */
  finish(): Promise<{ seq: number | null; view: SessionView | null }>;
}

/** Runs docs/examples/client.py with --events as a child process, killed at teardown. */
export function startPythonClient(t: Test, wsUrl: string, track: string, session: string, extra: string[] = []): PythonClient {
  const child = spawn(PYTHON, [CLIENT, wsUrl, track, session, '--events', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const events: PythonEvent[] = [];
  let final: { seq: number | null; view: SessionView | null } | undefined;
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const event = JSON.parse(line) as PythonEvent & { view?: SessionView | null; seq?: number | null };
      if (event.kind === 'final') final = { seq: event.seq ?? null, view: event.view ?? null };
      else events.push(event);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    events,
    lastSeq: () => [...events].reverse().find((e) => e.kind === 'snapshot' || e.kind === 'diff')?.seq,
    async finish() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0 || !final) throw new Error(`client.py exited with ${code}: ${stderr}`);
      return final;
    },
  };
}

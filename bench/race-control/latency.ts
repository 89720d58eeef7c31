import fs from 'node:fs';
import os from 'node:os';
import type { Test } from 'tap';
import type { SessionView } from '../../actors/contracts/view.ts';
import { GATEWAY_AUDIENCE } from '../../oidc/claims.ts';
import { createTokenVerifier } from '../../gateway/auth/verifier.ts';
import { startTestClient, startTestGateway } from '../../gateway/testing/gateway.ts';
import { RC_REF, startRaceControlStack } from '../../gateway/testing/race-control-stack.ts';
import { createTestSigner, TEST_ISSUER } from '../../gateway/testing/tokens.ts';
import { waitFor } from '../../engine/testing/wait.ts';

/**
 * `npm run bench -- race-control [--commands=N]`: how long a race-control command takes to reach a spectator, on the
 * real path (REST → gateway → NATS request → engine: checks, RACE write, fold → coalesced diff → gateway → WebSocket),
 * with its peer in the same run: a passing from an edge device to the same spectator (EDGE → ingest → RACE → actor →
 * diff). Both wait for the engine's ≤ 100 ms diff coalescing, so the difference is the command path's own cost.
 * Writes bench/RESULTS-race-control.md.
 */
const args = process.argv.slice(2);
const count = Number(args.find((a) => a.startsWith('--commands='))?.slice('--commands='.length) ?? 100);
const log = (line: string) => process.stdout.write(`${line}\n`);

const cleanups: (() => unknown)[] = [];
/** The test helpers want tap's teardown and comment; the bench runs them in reverse at the end. */
const shim = { teardown: (fn: () => unknown) => cleanups.push(fn), comment: () => undefined } as unknown as Test;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1)! };
};
const ms = (x: number) => x.toFixed(1);

async function main() {
  const stack = await startRaceControlStack(shim, { private: false, finishLaps: count + 10 });
  const signer = await createTestSigner('bench');
  const verifier = createTokenVerifier({ jwks: { keys: [signer.jwk] }, issuer: TEST_ISSUER, audience: GATEWAY_AUDIENCE });
  const gw = await startTestGateway(shim, await stack.nats.connectAs('gateway'), {}, { verifier });
  const token = await signer.sign({ org: 'club', roles: ['race-control'] });
  let latest: SessionView | undefined;
  const client = startTestClient(shim, gw.wsUrl, { onView: (_t, _s, view) => { latest = view; } });
  client.subscribe(RC_REF.track, RC_REF.session);
  const post = async (verb: string, body: object) => {
    const res = await fetch(`${gw.url}/api/sessions/${RC_REF.track}/${RC_REF.session}/commands/${verb}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
    });
    return (await res.json()) as { id: string; outcome: string };
  };
  await post('start', {});
  await waitFor('the spectator sees the start', () => latest?.state === 'running');

  const reply: number[] = [];
  const command: number[] = [];
  const passing: number[] = [];
  for (let i = 0; i < count; i++) {
    // The peer: a passing of car 7 until the spectator shows its lap.
    const laps = latest!.rows.find((r) => r.number === '7')!.laps;
    let started = performance.now();
    await stack.passing('7', i + 1);
    await waitFor(`passing ${i} on the spectator client (laps ${laps})`, () => latest!.rows.find((r) => r.number === '7')!.laps === laps + 1, 10_000);
    passing.push(performance.now() - started);
    // A note until the spectator shows it in the control log.
    started = performance.now();
    const answer = await post('note', { text: `bench note ${i}` });
    reply.push(performance.now() - started);
    await waitFor('the note on the spectator client', () => latest?.controlLog?.at(-1)?.id === answer.id, 10_000);
    command.push(performance.now() - started);
  }
  const rows = [
    ['command: REST reply (decided, written, folded)', summary(reply)],
    ['command: click → spectator view', summary(command)],
    ['peer: passing published → spectator view', summary(passing)],
  ] as const;
  const table = ['| path | n | p50 ms | p95 ms | max ms |', '|---|---|---|---|---|',
    ...rows.map(([name, s]) => `| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} |`)].join('\n');
  const report = `# Race-control latency\n\n*${new Date().toISOString()}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ` +
    `\`npm run bench -- race-control --commands=${count}\` (bench/race-control/latency.ts)*\n\n${table}\n\n` +
    'One engine, one gateway, one spectator on this machine; commands one at a time. Both spectator paths include the engine\'s ' +
    'diff coalescing (0–100 ms, DESIGN §5); the REST reply comes once the engine has folded the command.\n';
  fs.writeFileSync(new URL('../RESULTS-race-control.md', import.meta.url), report);
  log(table);
}

try {
  await main();
} finally {
  for (const fn of cleanups.reverse()) await fn();
}

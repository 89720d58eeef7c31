import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startTestNats } from '../engine/testing/nats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const nats = await startTestNats(t, { streams: false });
const { user, pass } = nats.server.credentials('gateway');

/** Runs gateway/testing/run-gateway.ts in a child process; resolves on exit, or on `listening` (then stops it). */
function runGateway(extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NATS_URL: nats.server.url, NATS_USER: user, NATS_PASS: pass, ...extraEnv };
  if (!('UWS_USE_FALLBACK' in extraEnv)) delete env.UWS_USE_FALLBACK;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing/run-gateway.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('listening')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.teardown(() => { child.kill('SIGKILL'); });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

t.test('refuses to start on the uWebSockets.js JavaScript fallback', async (t) => {
  const { code, stdout, stderr } = await runGateway({ UWS_USE_FALLBACK: '1' });
  t.not(code, 0, 'non-zero exit');
  t.match(stderr, /UwsNotNativeError: refusing to start: uWebSockets\.js loaded its slow JavaScript fallback because UWS_USE_FALLBACK is set: unset it/);
  t.notMatch(stdout, /listening/, 'never listened');
});

t.test('the same process starts with the native build (control)', async (t) => {
  const { code, stdout, stderr } = await runGateway({});
  t.match(stdout, /^listening \d+$/m, 'listened');
  t.equal(code, 0, `stopped cleanly on SIGTERM ${stderr}`);
});

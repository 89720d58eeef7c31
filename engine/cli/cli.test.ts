import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import t from 'tap';
import { processesMentioning, runPitwall, startPitwall } from '../testing/cli.ts';

const tempDir = (t: { teardown(fn: () => void): void }, prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};

t.test('every command has --help', async (t) => {
  const overview = await runPitwall(['--help']);
  t.equal(overview.code, 0);
  for (const name of ['up', 'doctor']) {
    t.match(overview.stdout, new RegExp(`^  ${name} `, 'm'), `the overview lists ${name}`);
    const help = await runPitwall([name, '--help']);
    t.equal(help.code, 0);
    t.match(help.stdout, new RegExp(`^usage: pitwall ${name}`), `${name} --help`);
  }
  const unknown = await runPitwall(['fly']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command 'fly'/);
  const badOption = await runPitwall(['up', '--ports', 'sometimes']);
  t.equal(badOption.code, 2);
  t.match(badOption.stderr, /--ports takes 'random'/);
});

t.test('doctor reports a missing server binary with the install command', async (t) => {
  // A PATH with node only, and no extra sbin directories: nothing else can be found.
  const env = { ...process.env, PATH: path.dirname(process.execPath), PITWALL_SBIN: '' };
  const result = await runPitwall(['doctor'], env);
  t.equal(result.code, 1);
  t.match(result.stdout, /FAIL\s+nats-server not found\n\s+→ install it: (sudo )?apt-get install -y nats-server/);
  t.match(result.stdout, /clickhouse-server not found\n\s+→ install it: (sudo )?apt-get install -y clickhouse-server/);
});

t.test('doctor reports a uWebSockets.js that does not run natively', async (t) => {
  const good = await runPitwall(['doctor']);
  t.match(good.stdout, /OK\s+uWebSockets\.js runs natively/);
  const result = await runPitwall(['doctor'], { ...process.env, UWS_USE_FALLBACK: '1' });
  t.equal(result.code, 1);
  t.match(result.stdout, /FAIL\s+uWebSockets\.js is not native\n\s+→ .*UWS_USE_FALLBACK/);
});

t.test('up starts NATS and ClickHouse, both answer, Ctrl-C leaves no process', async (t) => {
  const dataDir = tempDir(t, 'pitwall-up-');
  const up = startPitwall(['up', '--ports', 'random', '--data-dir', dataDir]);
  t.teardown(() => up.child.kill('SIGKILL'));
  const [, natsUrl] = await up.waitForLine(/^nats (nats:\/\/127\.0\.0\.1:\d+)$/);
  const [, clickhouseUrl] = await up.waitForLine(/^clickhouse (http:\/\/127\.0\.0\.1:\d+)\/$/);
  const [, identityUrl] = await up.waitForLine(/^identity (http:\/\/127\.0\.0\.1:\d+\/)$/);
  const discovery = (await (await fetch(`${identityUrl}.well-known/openid-configuration`)).json()) as { jwks_uri?: string };
  t.ok(discovery.jwks_uri, 'the identity provider answers with its OpenID configuration');

  const secrets = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets', 'nats.json'), 'utf8'));
  const nc = await connect({ servers: natsUrl, user: 'engine', pass: secrets.services.engine });
  t.ok(nc.info?.jetstream, 'the engine user connects to a JetStream server');
  await nc.close();

  const ch = JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets', 'clickhouse.json'), 'utf8'));
  const res = await fetch(`${clickhouseUrl}/`, {
    method: 'POST',
    body: 'SELECT 1',
    headers: { Authorization: `Basic ${Buffer.from(`${ch.user}:${ch.password}`).toString('base64')}` },
  });
  t.equal((await res.text()).trim(), '1', 'SELECT 1 over ClickHouse HTTP');

  t.ok(processesMentioning(dataDir).length >= 2, 'the servers run with this data dir');
  up.child.kill('SIGINT');
  t.equal(await up.exited, 0);
  t.match(up.stderr(), /SIGINT, stopping/);
  t.same(processesMentioning(dataDir), [], 'no process is left behind');
});

t.test('up that fails half-way reports the server error and stops what it started', async (t) => {
  const dataDir = tempDir(t, 'pitwall-up-fail-');
  const fakeBin = tempDir(t, 'pitwall-fake-bin-');
  // A clickhouse-server that fails like a broken installation does.
  fs.writeFileSync(
    path.join(fakeBin, 'clickhouse-server'),
    '#!/bin/sh\necho "<Error> Application: fake failure: cannot open config" >&2\nexit 70\n',
    { mode: 0o755 },
  );
  const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` };
  const up = startPitwall(['up', '--ports', 'random', '--data-dir', dataDir], env);
  t.teardown(() => up.child.kill('SIGKILL'));
  t.equal(await up.exited, 1);
  t.match(up.stderr(), /clickhouse did not start: exited with code 70[\s\S]*fake failure: cannot open config/);
  t.same(processesMentioning(dataDir), [], 'NATS, already running, was stopped');
});

t.test('up refuses a uWebSockets.js that is not native, and leaves no process', async (t) => {
  const dataDir = tempDir(t, 'pitwall-up-fallback-');
  const up = startPitwall(['up', '--ports', 'random', '--data-dir', dataDir], { ...process.env, UWS_USE_FALLBACK: '1' });
  t.teardown(() => up.child.kill('SIGKILL'));
  t.equal(await up.exited, 1);
  t.match(up.stderr(), /refusing to start: uWebSockets\.js loaded its slow JavaScript fallback because UWS_USE_FALLBACK is set/);
  t.same(processesMentioning(dataDir), [], 'nothing is left running');
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

/** The machine and the versions a report was measured with. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  versions: Record<string, string>;
}

const require = createRequire(import.meta.url);
const pkg = (name: string) => {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return '?';
  }
};
const cmd = (command: string, args: string[], pattern: RegExp) => {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? out.trim();
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? '');
    return pattern.exec(out)?.[1] ?? '?';
  }
};

export function machine(): Machine {
  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  return {
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    os: /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? os.type(),
    kernel: os.release(),
    node: process.version,
    versions: {
      'uWebSockets.js': pkg('uWebSockets.js'), ws: pkg('ws'), 'socket.io': pkg('socket.io'), '@msgpack/msgpack': pkg('@msgpack/msgpack'),
      '@nats-io/transport-node': pkg('@nats-io/transport-node'),
      'nats-server': cmd('/usr/sbin/nats-server', ['--version'], /v([\d.]+)/),
      mosquitto: cmd('mosquitto', ['-h'], /mosquitto version ([\d.]+)/),
    },
  };
}

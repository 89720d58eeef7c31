import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import type { Command } from './command.ts';
import { doctorCommand } from './commands/doctor.ts';
import { eventCommand } from './commands/event.ts';
import { engineCommand } from './commands/engine.ts';
import { sessionCommand } from './commands/session.ts';
import { edgeCommand } from './commands/edge.ts';
import { upCommand } from './commands/up.ts';
import { adminCommand } from './commands/admin.ts';
import { deviceCommand } from './commands/device.ts';
import { riderCommand } from './commands/rider.ts';
import { readCliConfig } from './config.ts';
import { replayCommand } from '../../edge/rmonitor/replay-command.ts';
import { scoreCommand } from './commands/score.ts';

const COMMANDS: Command[] = [upCommand, doctorCommand, engineCommand, sessionCommand, edgeCommand, replayCommand, eventCommand, scoreCommand, adminCommand, deviceCommand, riderCommand];

/** The list of commands under `prefix` ('pitwall' or 'pitwall edge'). */
function overview(prefix: string, commands: Command[], summary: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `usage: ${prefix} <command> [options]`,
    '',
    summary,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${prefix} <command> --help' for a command's options.`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  return dispatch('pitwall', COMMANDS, 'Pitwall: real-time race timing and scoring.', argv);
}

async function dispatch(prefix: string, commands: Command[], summary: string, argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    out(topic ? topic.help : overview(prefix, commands, summary));
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err(`${prefix}: unknown command '${name}'\n\n${overview(prefix, commands, summary)}`);
    return 2;
  }
  if (command.subcommands) return dispatch(`${prefix} ${name}`, command.subcommands, command.summary, rest);
  if (rest.includes('--help') || rest.includes('-h')) {
    out(command.help);
    return 0;
  }
  const stopRequested: Promise<NodeJS.Signals> = new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal));
  });
  try {
    const args = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await command.run(args, { config: readCliConfig(), out, err, stopRequested });
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`${prefix} ${name}: ${(e as Error).message}\n\n${command.help}`);
      return 2;
    }
    err(`${prefix} ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import type { Command } from './command.ts';
import { doctorCommand } from './commands/doctor.ts';
import { upCommand } from './commands/up.ts';
import { readCliConfig } from './config.ts';

const COMMANDS: Command[] = [upCommand, doctorCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: pitwall <command> [options]',
    '',
    'Pitwall: real-time race timing and scoring.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'pitwall <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    out(topic ? topic.help : overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`pitwall: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
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
      err(`pitwall ${name}: ${(e as Error).message}\n\n${command.help}`);
      return 2;
    }
    err(`pitwall ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

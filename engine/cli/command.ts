import type { ParseArgsConfig } from 'node:util';
import type { CliConfig } from './config.ts';

/** One `pitwall <name>` sub-command. */
export interface Command {
  name: string;
  /** One line for `pitwall --help`. */
  summary: string;
  /** The full `pitwall <name> --help` text. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** A command with sub-commands (`pitwall edge <agent>`): main.ts dispatches to them and prints their list. */
  subcommands?: Command[];
  /** Resolves to the process exit code. */
  run(args: CommandArgs, ctx: CommandContext): Promise<number>;
}

export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface CommandContext {
  config: CliConfig;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the user asks the process to stop (Ctrl-C, SIGTERM). */
  stopRequested: Promise<NodeJS.Signals>;
}

/** Errors shared by the engine's launchers and commands. Each sets `name` and keeps its `cause`. */

/** A server process could not be started; `output` holds the server's own last words. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
  constructor(
    readonly server: string,
    message: string,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(`${server} did not start: ${message}${output ? `\n--- ${server} said ---\n${output.trimEnd()}` : ''}`, options);
  }
}

/** A program Pitwall needs is not installed; `installCommand` is the exact command that installs it. */
export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
  constructor(
    readonly binary: string,
    readonly installCommand: string,
    options?: ErrorOptions,
  ) {
    super(`${binary} is not installed. Install it with: ${installCommand}`, options);
  }
}

/** Wrong command-line usage; the CLI prints the message and the sub-command's help and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

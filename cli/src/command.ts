/** Where a command writes and what it runs against; tests pass their own. */
export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
  /** Relative paths in arguments are resolved against this. */
  cwd: string;
}

/**
 * One subcommand of `rubicon`. `run` gets the arguments after its name and
 * returns the process exit code (0 for success). Register it in commands/index.ts.
 */
export interface Command {
  name: string;
  /** One line for `rubicon help`. */
  summary: string;
  /** Usage and options, shown by `rubicon help NAME`. */
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A wrong invocation: main prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

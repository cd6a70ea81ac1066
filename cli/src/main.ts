import { commands, findCommand } from './commands/index.ts';
import { UsageError, type CliIo } from './command.ts';

/** Runs `rubicon ARGS`; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') return findCommand('help')?.run([], io) ?? 0;
  const command = findCommand(name);
  if (!command) {
    io.err.write(`rubicon: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}. Try: rubicon help\n`);
    return 2;
  }
  // `rubicon simulate --help` is what people type first: the usage, not a refusal of an unknown option.
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.err.write(`rubicon ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw err;
  }
}

/** node:util parseArgs refuses an unknown or malformed option with a coded TypeError: a wrong invocation like any other. */
function isParseArgsError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

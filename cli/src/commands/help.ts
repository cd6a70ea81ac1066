import type { Command } from '../command.ts';
import { commands, findCommand } from './index.ts';

export const help: Command = {
  name: 'help',
  summary: 'list the commands, or show how to use one',
  usage: 'usage: rubicon help [COMMAND]',
  async run(args, io) {
    const [name] = args;
    if (name !== undefined) {
      const command = findCommand(name);
      if (!command) {
        io.err.write(`rubicon help: no command "${name}"\n`);
        return 2;
      }
      io.out.write(`rubicon ${command.name}: ${command.summary}\n\n${command.usage}\n`);
      return 0;
    }
    const width = Math.max(...commands.map((c) => c.name.length));
    io.out.write('usage: rubicon COMMAND [ARGS]   (from the repository: npx rubicon …)\n\ncommands:\n');
    for (const c of commands) io.out.write(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
    io.out.write('\nrubicon help COMMAND shows a command\'s arguments.\n');
    return 0;
  },
};

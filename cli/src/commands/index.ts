import type { Command } from '../command.ts';
import { help } from './help.ts';
import { scenario } from './scenario.ts';
import { simulate } from './simulate.ts';

/** Every subcommand, in the order `rubicon help` lists them. Add yours here. */
export const commands: readonly Command[] = [help, scenario, simulate];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

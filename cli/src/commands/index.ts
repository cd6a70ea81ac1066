import type { Command } from '../command.ts';
import { help } from './help.ts';
import { scenario } from './scenario.ts';
import { simulate } from './simulate.ts';
import { replay } from './replay.ts';
import { verify } from './verify.ts';
import { summarize } from './summarize.ts';

/** Every subcommand, in the order `rubicon help` lists them. Add yours here. */
export const commands: readonly Command[] = [help, scenario, simulate, replay, verify, summarize];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

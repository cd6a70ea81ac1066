import type { Actor, Command } from '@rubicon/shared';
import type { SessionStore } from '../store/types.ts';
import type { Executed, PendingCommand } from './command-types.ts';
import { sameCommand } from './lost-append.ts';
import { ServiceError } from './service-error.ts';

/**
 * Commands whose ids the log already holds: a retry gets its first answer, looked up in the store; another
 * command reusing the id is refused. Apart from the command path's decision because it is a lookup, not a
 * decision: it reads the log and answers, and never changes a session.
 */

/** A command id seen before: the same command is a retry; another command reusing the id is refused. */
async function duplicate(store: SessionStore, sessionId: string, seq: number, actor: Actor, command: Command): Promise<Executed> {
  const [original] = await store.readLog(sessionId, seq - 1);
  if (original && !sameCommand(original, { by: actor, command }))
    throw new ServiceError('duplicate', 'This command id was already used for a different command.');
  return { version: seq, duplicate: true };
}

/**
 * A refusal, unless the id was appended before (a retry of a command that is no longer legal): then the first answer.
 * A command whose limits its append would have counted is counted now, meanwhile: over a budget, that is the refusal.
 */
export async function refuseOrAnswerRetry(store: SessionStore, sessionId: string, p: PendingCommand, error: ServiceError): Promise<void> {
  const counting = p.request.limit?.countAlone().then(
    () => null,
    (err: unknown) => err,
  );
  try {
    const earlier = await store.commandSeq(sessionId, p.request.commandId);
    if (earlier === null) p.reject((counting ? await counting : null) ?? error);
    else p.resolve(await duplicate(store, sessionId, earlier, p.request.actor, p.request.command));
  } catch (err) {
    p.reject(err);
  }
}

/** The store's duplicates of a batch (`index` into `included`): each gets the first answer (or a refusal for a reused id), looked up. */
export function answerDuplicates(
  store: SessionStore,
  sessionId: string,
  included: readonly PendingCommand[],
  duplicates: readonly { index: number; seq: number }[],
): Promise<void>[] {
  const lookups: Promise<void>[] = [];
  for (const { index, seq } of duplicates) {
    const p = included[index];
    if (!p) continue;
    p.answered = true;
    const answer = duplicate(store, sessionId, seq, p.request.actor, p.request.command);
    lookups.push(answer.then((executed) => p.resolve(executed), (err: unknown) => p.reject(err)));
  }
  return lookups;
}

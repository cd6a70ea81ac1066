import type { EntryLimit } from '../store/types.ts';
import type { Executed, PendingCommand } from './command-types.ts';
import { unavailable } from './service-error.ts';

// How a batch's commands are answered, apart from the path that decides them (command-path.ts).

/** The store answered every round trip, so the retry can come soon, not after a reconnect's wait. */
export const overdue = () => unavailable('The session did not take this command within the time bound', 100);

/** Answers a command of the batch unless it was answered already. */
export function answerOk(p: PendingCommand, executed: Executed): void {
  if (p.answered) return;
  p.answered = true;
  p.resolve(executed);
}

export const isAnswered = (p: PendingCommand): boolean => p.answered;
export const hasLimit = (p: PendingCommand): boolean => p.request.limit !== undefined;
export const limitOf = (p: PendingCommand): EntryLimit | null => p.request.limit ?? null;
export const isOpen = (p: PendingCommand): boolean => !p.answered;

export function answerErr(p: PendingCommand, err: unknown): void {
  if (p.answered) return;
  p.answered = true;
  p.reject(err);
}

export function refuseAll(batch: readonly PendingCommand[], err: unknown): void {
  for (const p of batch) answerErr(p, err);
}

/** Until when a batch's lost store answer is looked up: its latest command's bound. */
export function boundOf(included: readonly PendingCommand[]): number {
  let bound = -Infinity;
  // Indexed, and no Math.max: its iterator and a boxed number per step were kept on the heap.
  for (let i = 0; i < included.length; i++) {
    const b = (included[i] as PendingCommand).bound;
    if (b > bound) bound = b;
  }
  return bound;
}

/**
 * The append found the command at `index` over its limit at `link`: it is refused, and so is every
 * later command of the batch counted against the same counter, which cannot fit either (the ones
 * before it keep their places in the next round, and its count only grows within its window).
 */
export function refuseOverLimit(included: readonly PendingCommand[], index: number, link: number, retryAfterMs: number): void {
  const key = included[index]?.request.limit?.keys[link];
  if (key === undefined) throw new Error(`the append refused entry ${index} of ${included.length} on a limit it does not have`);
  for (let i = index; i < included.length; i++) {
    const p = included[i];
    const limit = p?.request.limit;
    if (p && limit?.keys[link] === key) answerErr(p, limit.refused(link, retryAfterMs));
  }
}

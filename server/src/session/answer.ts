/**
 * Where the outcome of a piece of work goes, in place of a promise of it: exactly one of `ok` and `fail` is called,
 * once. Neither may throw: the caller may be part-way through other work that must go on (a batch's decision
 * answers its commands one after another, and an answer that threw would read as the batch failing).
 *
 * A command's path answers through one of these (write-batches.ts) so that a socket's command is acknowledged in the
 * decision itself, right after its batch's updates are broadcast, with no promise, resolving functions or reactions
 * in between (docs/performance/fan-out-log.md, "A command's ack by callback").
 */
export interface Answer<T> {
  ok(value: T): void;
  fail(err: unknown): void;
}

/** Hands `work`'s outcome to `answer` once it settles. */
export function answerWhenSettled<T>(work: Promise<T>, answer: Answer<T>): void {
  work.then(
    (value) => answer.ok(value),
    (err: unknown) => answer.fail(err),
  );
}

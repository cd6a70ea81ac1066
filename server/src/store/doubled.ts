/** A column of numbers the logs grow by doubling: the typed arrays they keep per entry. */
interface NumberColumn extends ArrayLike<number> {
  set(from: ArrayLike<number>): void;
}

/** A column twice as long as `old` with `old`'s numbers first: one copy per doubling, so appends stay O(1) amortised. */
export function doubled<T extends NumberColumn>(old: T, make: new (length: number) => T): T {
  const next = new make(2 * old.length);
  next.set(old);
  return next;
}

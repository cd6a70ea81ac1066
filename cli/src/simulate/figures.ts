/**
 * How the simulate output writes its figures, in one place so the terminal
 * and the HTML report agree. `toFixed` keeps the sign of a small negative that
 * rounds to zero: a mean score of −0.03, or the lower bound of an interval
 * around a mean of about 0, would read "-0.0", a de-escalation nobody made.
 */
export function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/** A share (0..1) as a percentage with one decimal, without the % sign. */
export function percent(share: number): string {
  return fixed(100 * share, 1);
}

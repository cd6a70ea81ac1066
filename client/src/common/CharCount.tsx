/** A visible count of characters, and a warning before the limit rather than a silent cut. */
export function CharCount({ id, length, max }: { id: string; length: number; max: number }) {
  const over = length - max;
  const near = length >= max * 0.9;
  return (
    <span id={id} className={`charcount${over > 0 ? ' charcount--over' : near ? ' charcount--near' : ''}`} data-testid="char-count" aria-live={near ? 'polite' : 'off'}>
      {over > 0 ? `${over} characters too long: shorten it to send` : `${length} / ${max}`}
    </span>
  );
}

/** The decision-memo prompt, shown with the rationale box (the textarea points at it with aria-describedby). */
export const MEMO_PROMPT_ID = 'memo-prompt';

export function MemoPrompt({ prompt }: { prompt: string | null | undefined }) {
  if (!prompt) return null;
  return (
    <p className="memo-prompt" id={MEMO_PROMPT_ID} data-testid="memo-prompt">
      <span className="memo-prompt__label">Decision memo</span> {prompt}
    </p>
  );
}

import { useId, useState } from 'react';
import type { JoinResponse } from '@rubicon/shared';
import { ApiError, joinWithCode, normalizeCode } from '../net/api.ts';
import { saveCredential, saveDisplayName } from '../net/storage.ts';
import { JOIN_CODE_LENGTH, MAX_DISPLAY_NAME } from '@rubicon/shared/limits';
import { navigate, paths } from '../router.ts';

/** Where a redeemed code leads: a seat to its console, an observer code to the shared display. */
export function pathAfterJoin(join: JoinResponse): string {
  if (join.role.kind === 'seat') return paths.play(join.sessionId, join.role.seat);
  if (join.role.kind === 'observer') return paths.display(join.sessionId);
  return paths.facilitate(join.sessionId);
}

export async function redeem(code: string, name: string | null = null): Promise<string> {
  const join = await joinWithCode(normalizeCode(code));
  // A code's token is never the creator's, even the co-facilitator code's.
  saveCredential(join.sessionId, { token: join.token, role: join.role, owner: false });
  if (name && join.role.kind === 'seat') saveDisplayName(join.sessionId, name);
  return pathAfterJoin(join);
}

/** The join form's state: the code as typed (normalized), the optional name, and redeeming them, which leads on or says why not. */
function useJoin(initial: string) {
  const [code, setCode] = useState(normalizeCode(initial));
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: { preventDefault(): void }) => {
    e.preventDefault();
    if (code.length !== JOIN_CODE_LENGTH) return setError(`A join code has ${JOIN_CODE_LENGTH} letters and digits.`);
    setBusy(true);
    setError(null);
    try {
      navigate(await redeem(code, name.trim() || null));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work. Try again.');
      setBusy(false);
    }
  };
  return { code, setCode: (typed: string) => setCode(normalizeCode(typed)), name, setName, busy, error, submit };
}

/** A join-code field (JOIN_CODE_LENGTH characters, upper-cased as typed) and a Join button. */
export function JoinForm({ initial = '', autoFocus = false, label = 'Join code' }: { initial?: string; autoFocus?: boolean; label?: string }) {
  const id = useId();
  const { code, setCode, name, setName, busy, error, submit } = useJoin(initial);
  return (
    <form className="join-form" onSubmit={submit}>
      <label htmlFor={id} className="join-form__label">
        {label}
      </label>
      <div className="join-form__row">
        <input
          id={id}
          className="join-form__input"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          inputMode="text"
          maxLength={JOIN_CODE_LENGTH}
          pattern={`[A-Za-z0-9]{${JOIN_CODE_LENGTH}}`}
          placeholder="ABCD2345"
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? true : undefined}
          autoFocus={autoFocus}
          data-testid="join-code"
        />
        <button type="submit" className="btn btn--primary" disabled={busy || code.length !== JOIN_CODE_LENGTH} data-testid="join-submit">
          {busy ? 'Joining…' : 'Join'}
        </button>
      </div>
      <p id={`${id}-hint`} className="join-form__hint">
        {JOIN_CODE_LENGTH} characters from your facilitator. Capitals or not, it does not matter.
      </p>
      <label htmlFor={`${id}-name`} className="join-form__label join-form__label--small">
        Your name <span className="muted">(optional: shown beside your seat, so people sharing a seat are told apart)</span>
      </label>
      <input
        id={`${id}-name`}
        className="join-form__name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={MAX_DISPLAY_NAME}
        autoComplete="given-name"
        data-testid="join-name"
      />
      {error && (
        <p className="alert" role="alert" data-testid="join-error">
          {error}
        </p>
      )}
    </form>
  );
}

import { useRef, useState } from 'react';
import type { AccessAction } from '../lobby/useSetupSummary.ts';

interface ReplaceProps {
  confirming: boolean;
  /** A re-issue is in flight: nothing may ask for or send another until it is answered. */
  pending: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * The button, then the question it asks before anything is sent: replacing the creator's token signs out
 * every other device that holds it (another tab, the projector's laptop, a colleague's browser it was
 * copied to), and a click made by mistake cannot be taken back.
 */
export function ReplaceOwnerToken({ confirming, pending, onAsk, onConfirm, onCancel }: ReplaceProps) {
  if (!confirming)
    return (
      <p className="code-card__actions">
        <button type="button" className="btn btn--small" data-testid="reissue-owner" onClick={onAsk} disabled={pending} aria-busy={pending || undefined}>
          {pending ? 'Replacing the facilitator token…' : 'Replace the facilitator token…'}
        </button>
      </p>
    );
  return (
    <div data-testid="reissue-owner-confirmation">
      <p className="controls__warn" role="alert">
        Every other device using this token (other tabs, the projector, anyone it was shared with) is signed out at once and cannot get back in with it.
        This browser keeps its access.
      </p>
      <p className="code-card__actions">
        <button type="button" className="btn btn--small btn--danger" data-testid="reissue-owner-confirm" onClick={onConfirm} disabled={pending}>
          Replace it
        </button>{' '}
        <button type="button" className="btn btn--small btn--ghost" data-testid="reissue-owner-cancel" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </p>
    </div>
  );
}

/**
 * Sends `send` unless the one before it is still in flight, and tells `onPending` when one starts and
 * when it is answered (either way). A second re-issue sent before the first's answer would end the token
 * that answer hands this browser, if both passed the server's token check before either rotated it.
 * Returns whether it sent.
 */
export function startOnce(flight: { current: boolean }, send: () => Promise<void>, onPending: (pending: boolean) => void): boolean {
  if (flight.current) return false;
  flight.current = true;
  onPending(true);
  const done = () => {
    flight.current = false;
    onPending(false);
  };
  send().then(done, done);
  return true;
}

/** Replaces the creator's token, which has no code: the remedy when it leaked. Asks first (ReplaceOwnerToken). */
export function OwnerTokenCard({ access, notice }: { access: (key: string, action: AccessAction) => Promise<void>; notice: string | null }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  // Beside the state: two clicks handled before a render must not both send.
  const flight = useRef(false);
  return (
    <li className="code-card code-card--observer" data-testid="seat-card-owner">
      <h3 className="code-card__seat">Creator’s facilitator token</h3>
      <p className="code-card__desc">
        Use this if the token of the browser that created the session leaked (a shared computer, a copied profile): the old token stops working on every
        device at once. The co-facilitator code is not affected.
      </p>
      <ReplaceOwnerToken
        confirming={confirming}
        pending={pending}
        onAsk={() => {
          if (!flight.current) setConfirming(true);
        }}
        onConfirm={() => {
          setConfirming(false);
          startOnce(flight, () => access('owner', 'reissue'), setPending);
        }}
        onCancel={() => setConfirming(false)}
      />
      <p className="small" role="status" data-testid="owner-notice">
        {notice}
      </p>
    </li>
  );
}

import { useState } from 'react';
import type { AccessAction } from '../lobby/useSetupSummary.ts';

interface ReplaceProps {
  confirming: boolean;
  onAsk: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * The button, then the question it asks before anything is sent: replacing the creator's token signs out
 * every other device that holds it (another tab, the projector's laptop, a colleague's browser it was
 * copied to), and a click made by mistake cannot be taken back.
 */
export function ReplaceOwnerToken({ confirming, onAsk, onConfirm, onCancel }: ReplaceProps) {
  if (!confirming)
    return (
      <p className="code-card__actions">
        <button type="button" className="btn btn--small" data-testid="reissue-owner" onClick={onAsk}>
          Replace the facilitator token…
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
        <button type="button" className="btn btn--small btn--danger" data-testid="reissue-owner-confirm" onClick={onConfirm}>
          Replace it
        </button>{' '}
        <button type="button" className="btn btn--small btn--ghost" data-testid="reissue-owner-cancel" onClick={onCancel}>
          Cancel
        </button>
      </p>
    </div>
  );
}

/** Replaces the creator's token, which has no code: the remedy when it leaked. Asks first (ReplaceOwnerToken). */
export function OwnerTokenCard({ access, notice }: { access: (key: string, action: AccessAction) => void; notice: string | null }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <li className="code-card code-card--observer" data-testid="seat-card-owner">
      <h3 className="code-card__seat">Creator’s facilitator token</h3>
      <p className="code-card__desc">
        Use this if the token of the browser that created the session leaked (a shared computer, a copied profile): the old token stops working on every
        device at once. The co-facilitator code is not affected.
      </p>
      <ReplaceOwnerToken
        confirming={confirming}
        onAsk={() => setConfirming(true)}
        onConfirm={() => {
          setConfirming(false);
          access('owner', 'reissue');
        }}
        onCancel={() => setConfirming(false)}
      />
      <p className="small" role="status" data-testid="owner-notice">
        {notice}
      </p>
    </li>
  );
}

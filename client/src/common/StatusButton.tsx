import { useState, type ReactNode } from 'react';
import { ApiError } from '../net/api.ts';

interface StatusButtonProps {
  className: string;
  testId: string;
  /** Said while `run` is on its way. */
  busy: string;
  /** Said when `run` fails without a message of the server's. */
  failed: string;
  /** The request; what it resolves to is said next (nothing: the busy text stays, as when it navigates away). */
  run: () => Promise<string | void>;
  children: ReactNode;
}

/** A button that sends one request and says beside it how it is going, then how it went (the server's own words on a refusal). */
export function StatusButton({ className, testId, busy, failed, run, children }: StatusButtonProps) {
  const [state, setState] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        data-testid={testId}
        onClick={async () => {
          setState(busy);
          try {
            const done = await run();
            if (typeof done === 'string') setState(done);
          } catch (err) {
            setState(err instanceof ApiError ? err.message : failed);
          }
        }}
      >
        {children}
      </button>
      <span role="status" className="small muted">
        {state}
      </span>
    </>
  );
}

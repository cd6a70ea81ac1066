import { useRef, useState } from 'react';
import type { GameView, JoinCode, SessionSummary } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { ConnectionBadge } from '../session/ConnectionBadge.tsx';
import { Link } from '../common/Link.tsx';
import { CoFacilitatorCard, ObserverCodeCard, SeatCodeCard, type SeatCode } from './SetupCodeCards.tsx';
import { OwnerTokenCard } from '../facilitate/OwnerTokenCard.tsx';
import { useSetupSummary } from './useSetupSummary.ts';
import { useBotOptions } from './useBotOptions.ts';
import { EstimateLine } from './SessionEstimate.tsx';
import { NeedsJoin, SessionPending } from '../session/SessionFrame.tsx';
import { LimitRefusalBanner } from '../session/LimitRefusal.tsx';
import { hostedSession, loadCredential } from '../net/storage.ts';
import { useSession } from '../net/useSession.ts';
import type { Connection } from '../net/connection.ts';
import { PHASE_LABEL } from '../lib/describe.ts';
import { paths } from '../router.ts';

/** `/s/:id/setup`: the join codes, links and QR codes per seat, and who has joined, live. */
export function Setup({ sessionId }: { sessionId: string }) {
  // In state, not read from storage at each render: re-issuing the creator's token swaps it, and the
  // socket and the summary follow the new one.
  const [token, setToken] = useState(() => loadCredential(sessionId, 'facilitator')?.token ?? null);
  const session = useSession(sessionId, token);
  const bots = useBotOptions(session.view?.scenario.id ?? null);
  const { summary, error: summaryError, notice, access } = useSetupSummary(sessionId, token, setToken);
  // The last view stays up while a new token's socket connects, instead of the connecting screen.
  const lastView = useRef<GameView | null>(null);
  if (session.view) lastView.current = session.view;
  const hosted = hostedSession(sessionId);

  if (!token) {
    return (
      <NeedsJoin title="Session setup">
        <p>This page belongs to the facilitator who created the session, on the device they created it on.</p>
      </NeedsJoin>
    );
  }
  const view = session.view ?? lastView.current;
  if (!view) return <SessionPending session={session} title="Session setup" />;

  // Revoked codes keep their card (showing "revoked"), so they can be re-issued.
  const codes: JoinCode[] = summary
    ? summary.access.filter((a) => a.role.kind !== 'facilitator').map((a) => ({ role: a.role, code: a.code ?? 'revoked' }))
    : (hosted?.codes ?? []);
  const presence = session.presence ?? summary?.presence ?? null;
  const origin = window.location.origin;
  const seatCodes = codes.filter((c): c is SeatCode => c.role.kind === 'seat');
  const observer = codes.find((c) => c.role.kind === 'observer');
  const joinedCount = seatCodes.filter((c) => (presence?.seats[c.role.seat] ?? 0) > 0).length;
  const cardAccess = summary ? access : null;

  return (
    <div className="page">
      <SetupHeader title={summary?.title ?? hosted?.title ?? view.scenario.title} phase={view.phase} connection={session.connection} />
      <main id="main" className="setup">
        <LimitRefusalBanner connection={session.connection} />
        <SetupIntro sessionId={sessionId} origin={origin} summary={summary} error={summaryError} joined={joinedCount} seats={seatCodes.length} />
        <section aria-labelledby="codes-heading">
          <h2 id="codes-heading" className="visually-hidden">
            Join codes
          </h2>
          <ul className="codes" data-testid="codes">
            {seatCodes.map((c) => (
              <SeatCodeCard key={c.code} code={c} session={session} view={view} bots={bots} joined={presence?.seats[c.role.seat] ?? 0} origin={origin} access={cardAccess} />
            ))}
            {observer && <ObserverCodeCard code={observer.code} connected={presence?.observers ?? 0} origin={origin} access={cardAccess} />}
            {summary && summary.mode !== 'replay' && <CoFacilitatorCard summary={summary} access={access} />}
            {summary && <OwnerTokenCard access={access} notice={notice} />}
          </ul>
        </section>
      </main>
    </div>
  );
}

/** The page's header: the session's title, its phase and the socket's state. */
function SetupHeader({ title, phase, connection }: { title: string; phase: GameView['phase']; connection: Connection }) {
  return (
    <AppHeader context={<span>{title}</span>}>
      <span className="phase-pill" data-testid="phase">
        {PHASE_LABEL[phase]}
      </span>
      <ConnectionBadge connection={connection} />
    </AppHeader>
  );
}

interface SetupIntroProps {
  sessionId: string;
  origin: string;
  summary: SessionSummary | null;
  error: string | null;
  joined: number;
  seats: number;
}

/** What to do with the codes, warnings about this page's address, and the way on to the session's other screens. */
function SetupIntro({ sessionId, origin, summary, error, joined, seats }: SetupIntroProps) {
  const localOnly = /^(https?:\/\/)(localhost|127\.|\[::1\])/.test(origin);
  return (
    <div className="setup__intro">
      <div>
        <p className="eyebrow">Session ready</p>
        <h1>Hand out the codes</h1>
        <p className="lede">
          Each team opens <strong className="mono">{origin}</strong> and types its code, or scans its QR code. Several people may share a seat.
        </p>
        {summary && <SetupEstimate summary={summary} />}
        {localOnly && (
          <p className="alert alert--info">
            This page was opened as <span className="mono">{origin}</span>, which phones and other computers cannot reach. Open it through this
            machine’s network address for the links and QR codes to work elsewhere.
          </p>
        )}
        {error && (
          <p className="alert" role="alert">
            {error}
          </p>
        )}
      </div>
      <nav className="setup__actions" aria-label="Session screens">
        <Link href={paths.facilitate(sessionId)} className="btn btn--primary btn--large" data-testid="open-facilitator">
          Open the facilitator console
        </Link>
        <a href={paths.display(sessionId)} target="_blank" rel="noopener" className="btn btn--large" data-testid="open-display">
          Open the shared display <span className="visually-hidden">(new tab)</span>↗
        </a>
        <p className="muted small" data-testid="joined-count" role="status">
          {joined} of {seats} seats joined
        </p>
      </nav>
    </div>
  );
}

function SetupEstimate({ summary }: { summary: SessionSummary }) {
  return (
    <div className="setup__estimate" data-testid="setup-estimate">
      <p className="small">
        <span className="muted">Class length:</span> <strong data-testid="setup-preset">{summary.preset?.title ?? 'custom clock'}</strong>
      </p>
      <EstimateLine estimate={summary.estimate} testId="setup-estimate-line" />
    </div>
  );
}

import { useEffect, useState } from 'react';
import type { JoinCode, SessionSummary } from '@rubicon/shared';
import { AppHeader } from '../common/AppHeader.tsx';
import { ConnectionBadge } from '../session/ConnectionBadge.tsx';
import { Link } from '../common/Link.tsx';
import { QrCode } from './QrCode.tsx';
import { SeatBotPicker } from './SeatBotPicker.tsx';
import { useBotOptions } from './useBotOptions.ts';
import { EstimateLine } from './SessionEstimate.tsx';
import { NeedsJoin, SessionPending } from '../session/SessionFrame.tsx';
import { SeatChip } from '../facilitate/SeatStatus.tsx';
import { ApiError, changeAccess, sessionSummary } from '../net/api.ts';
import { hostedSession, loadCredential } from '../net/storage.ts';
import { useSession } from '../net/useSession.ts';
import { PHASE_LABEL } from '../lib/describe.ts';
import { paths } from '../router.ts';

/** `/s/:id/setup`: the join codes, links and QR codes per seat, and who has joined, live. */
export function Setup({ sessionId }: { sessionId: string }) {
  const cred = loadCredential(sessionId, 'facilitator');
  const token = cred?.token ?? null;
  const session = useSession(sessionId, token);
  const bots = useBotOptions(session.view?.scenario.id ?? null);
  const [summary, setSummary] = useState<SessionSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const hosted = hostedSession(sessionId);

  const [refresh, setRefresh] = useState(0);
  useEffect(() => {
    document.title = 'Session setup · Rubicon';
    if (!token) return;
    sessionSummary(sessionId, token).then(setSummary, (err: unknown) =>
      setSummaryError(err instanceof ApiError ? err.message : 'Could not load the session.'),
    );
  }, [sessionId, token, refresh]);
  /** Revoke or re-issue one code (and every token redeemed from it), then show the codes as they now stand. */
  const access = (key: string, action: 'revoke' | 'reissue') => {
    if (!token) return;
    changeAccess(sessionId, key, action, token).then(
      () => setRefresh((n) => n + 1),
      (err: unknown) => setSummaryError(err instanceof ApiError ? err.message : 'Could not change the code.'),
    );
  };
  const AccessButtons = ({ k, label }: { k: string; label: string }) => (
    <p className="code-card__actions">
      <button type="button" className="btn btn--small" data-testid={`reissue-${k}`} onClick={() => access(k, 'reissue')}>
        New code<span className="visually-hidden"> for {label}</span>
      </button>{' '}
      <button type="button" className="btn btn--small" data-testid={`revoke-${k}`} onClick={() => access(k, 'revoke')}>
        Revoke<span className="visually-hidden"> {label}</span>
      </button>
    </p>
  );

  if (!token) {
    return (
      <NeedsJoin title="Session setup">
        <p>This page belongs to the facilitator who created the session, on the device they created it on.</p>
      </NeedsJoin>
    );
  }
  const view = session.view;
  if (!view) return <SessionPending session={session} title="Session setup" />;

  // Revoked codes keep their card (showing "revoked"), so they can be re-issued.
  const codes: JoinCode[] = summary
    ? summary.access.filter((a) => a.role.kind !== 'facilitator').map((a) => ({ role: a.role, code: a.code ?? 'revoked' }))
    : (hosted?.codes ?? []);
  const presence = session.presence ?? summary?.presence ?? null;
  const origin = window.location.origin;
  const localOnly = /^(https?:\/\/)(localhost|127\.|\[::1\])/.test(origin);
  const seatCodes = codes.filter((c): c is JoinCode & { role: { kind: 'seat'; seat: string } } => c.role.kind === 'seat');
  const observer = codes.find((c) => c.role.kind === 'observer');
  const joinedCount = seatCodes.filter((c) => (presence?.seats[c.role.seat] ?? 0) > 0).length;

  return (
    <div className="page">
      <AppHeader context={<span>{summary?.title ?? hosted?.title ?? view.scenario.title}</span>}>
        <span className="phase-pill" data-testid="phase">
          {PHASE_LABEL[view.phase]}
        </span>
        <ConnectionBadge status={session.status} />
      </AppHeader>
      <main id="main" className="setup">
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
            {summaryError && (
              <p className="alert" role="alert">
                {summaryError}
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
              {joinedCount} of {seatCodes.length} seats joined
            </p>
          </nav>
        </div>

        <section aria-labelledby="codes-heading">
          <h2 id="codes-heading" className="visually-hidden">
            Join codes
          </h2>
          <ul className="codes" data-testid="codes">
            {seatCodes.map((c) => {
              const seat = view.scenario.seats.find((s) => s.id === c.role.seat);
              const n = presence?.seats[c.role.seat] ?? 0;
              const url = `${origin}${paths.join(c.code)}`;
              return (
                <li key={c.code} className="code-card" data-testid={`seat-card-${c.role.seat}`} style={seat ? { ['--seat' as string]: seat.color } : undefined}>
                  <h3 className="code-card__seat">{seat ? <SeatChip seat={seat} /> : c.role.seat}</h3>
                  {seat && <p className="code-card__desc">{seat.description}</p>}
                  <p className="code-card__code" data-testid={`code-${c.role.seat}`} aria-label={`Join code for ${seat?.name ?? c.role.seat}: ${c.code.split('').join(' ')}`}>
                    {c.code}
                  </p>
                  <QrCode url={url} label={`QR code to join as ${seat?.name ?? c.role.seat}`} size={140} />
                  <a className="code-card__link mono" href={url} data-testid={`join-link-${c.role.seat}`}>
                    {url.replace(/^https?:\/\//, '')}
                  </a>
                  <SeatBotPicker session={session} view={view} seat={c.role.seat} bots={bots} />
                  <p className={`code-card__presence${n > 0 ? ' code-card__presence--joined' : ''}`} data-testid={`presence-${c.role.seat}`} data-joined={n > 0}>
                    <span aria-hidden="true">{n > 0 ? '● ' : '○ '}</span>
                    {n > 0 ? `Joined: ${n} device${n === 1 ? '' : 's'}` : 'Waiting to join'}
                  </p>
                  {summary && <AccessButtons k={c.role.seat} label={seat?.name ?? c.role.seat} />}
                </li>
              );
            })}
            {observer && (
              <li className="code-card code-card--observer" data-testid="seat-card-observer">
                <h3 className="code-card__seat">Shared display and observers</h3>
                <p className="code-card__desc">For the projector, the press or graders: sees what is public, never a team’s secrets.</p>
                <p className="code-card__code" data-testid="code-observer">
                  {observer.code}
                </p>
                <QrCode url={`${origin}${paths.join(observer.code)}`} label="QR code to join as an observer" size={140} />
                <a className="code-card__link mono" href={`${origin}${paths.join(observer.code)}`} data-testid="join-link-observer">
                  {`${origin}${paths.join(observer.code)}`.replace(/^https?:\/\//, '')}
                </a>
                <p className="code-card__presence">Connected: {presence?.observers ?? 0}</p>
                {summary && <AccessButtons k="observer" label="observers" />}
              </li>
            )}
            {summary && summary.mode !== 'replay' && (
              <li className="code-card code-card--observer" data-testid="seat-card-facilitator">
                <h3 className="code-card__seat">Co-facilitator</h3>
                <p className="code-card__desc">Opens this console on another device. Keep it off the projector.</p>
                <p className="code-card__code" data-testid="code-facilitator">
                  {summary.facilitatorCode ?? 'revoked'}
                </p>
                <AccessButtons k="facilitator" label="the co-facilitator code" />
              </li>
            )}
          </ul>
        </section>
      </main>
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

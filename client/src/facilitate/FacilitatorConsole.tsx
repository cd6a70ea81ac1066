import { useEffect, useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { AdjudicationReview } from './AdjudicationReview.tsx';
import { AppHeader } from '../common/AppHeader.tsx';
import { ChannelPanel } from '../session/channels/ChannelPanel.tsx';
import { ConnectionBadge } from '../session/ConnectionBadge.tsx';
import { EscalationLadder } from '../display/EscalationLadder.tsx';
import { FacilitatorControls } from './FacilitatorControls.tsx';
import { Link } from '../common/Link.tsx';
import { Debrief } from '../debrief/Debrief.tsx';
import { FacilitatorNotes } from './FacilitatorNotes.tsx';
import { ResolutionHistory } from '../session/ResolutionHistory.tsx';
import { RubricScoring } from './RubricScoring.tsx';
import { ViewAsPanel, ViewAsPicker, type ViewAsChoice } from './ViewAs.tsx';
import { WhiteCellNotes } from './WhiteCellNotes.tsx';
import { NeedsJoin, SessionPending } from '../session/SessionFrame.tsx';
import { LimitRefusalBanner } from '../session/LimitRefusal.tsx';
import { SeatTable } from './SeatStatus.tsx';
import { StatusStrip } from './StatusStrip.tsx';
import { Timeline } from '../display/Timeline.tsx';
import { humanize, PHASE_LABEL } from '../lib/describe.ts';
import { exportSession } from '../net/api.ts';
import { StatusButton } from '../common/StatusButton.tsx';
import { hostedSession, loadCredential } from '../net/storage.ts';
import { useSession, type Session } from '../net/useSession.ts';
import { paths } from '../router.ts';
import { downloadBlob } from '../lib/download.ts';

/** `/s/:id/facilitate`: the white cell's console. */
export function FacilitatorConsole({ sessionId }: { sessionId: string }) {
  const cred = loadCredential(sessionId, 'facilitator');
  const session = useSession(sessionId, cred?.token ?? null);
  if (!cred) {
    return (
      <NeedsJoin title="Facilitator console">
        <p>The facilitator console opens on the device that created the session. Players: enter your team’s code.</p>
      </NeedsJoin>
    );
  }
  if (!session.view) return <SessionPending session={session} title="Facilitator console" />;
  return <Console session={session} view={session.view} token={cred.token} />;
}

function Console({ session, view, token }: { session: Session; view: GameView; token: string }) {
  const beat = view.beat;
  const title = hostedSession(session.sessionId)?.title ?? view.scenario.title;
  const [as, setAs] = useState<ViewAsChoice>('facilitator');
  useEffect(() => {
    document.title = `White cell${beat ? ` · ${beat.title}` : ''} · Rubicon`;
  }, [beat]);

  return (
    <div className="page page--facilitator">
      <AppHeader
        context={
          <span>
            <strong>White cell</strong> <span className="muted">· {title}</span>
          </span>
        }
      >
        <ConnectionBadge connection={session.connection} />
      </AppHeader>
      <StatusStrip session={session} view={view} presence={session.presence} />
      <LimitRefusalBanner connection={session.connection} />
      <nav className="subnav" aria-label="Session">
        {/* Named for both: the setup page is also where a seat whose players left is handed to a bot mid-game. */}
        <Link href={paths.setup(session.sessionId)}>Join codes and bots</Link>
        <a href={paths.guide(view.scenario.id)} target="_blank" rel="noopener">
          Facilitator guide <span className="visually-hidden">(new tab)</span>↗
        </a>
        <a href={paths.display(session.sessionId)} target="_blank" rel="noopener" data-testid="open-display">
          Shared display <span className="visually-hidden">(new tab)</span>↗
        </a>
        <ExportButton sessionId={session.sessionId} token={token} />
        <ViewAsPicker view={view} as={as} onChange={setAs} />
      </nav>
      {as !== 'facilitator' ? (
        <main id="main" className="replay">
          <h1 className="visually-hidden">Facilitator console, viewing as another seat</h1>
          <ViewAsPanel key={as} sessionId={session.sessionId} token={token} as={as} view={view} version={session.version ?? view.version} onClose={() => setAs('facilitator')} />
        </main>
      ) : (
        <ConsoleMain session={session} view={view} />
      )}
    </div>
  );
}

/** The console itself, in three columns: the controls and the world; the beat and what the white cell decides; the channels and the timeline. */
function ConsoleMain({ session, view }: { session: Session; view: GameView }) {
  return (
    <main id="main" className="facilitator">
      <h1 className="visually-hidden">Facilitator console</h1>
      <div className="facilitator__col">
        <FacilitatorControls session={session} view={view} />
        <section className="panel" aria-labelledby="seats-heading">
          <h2 id="seats-heading" className="panel-title">
            Seats
          </h2>
          <SeatTable view={view} presence={session.presence} showDrafts />
        </section>
        <section className="panel">
          <EscalationLadder rungs={view.scenario.rungs} level={view.world.ladder} />
        </section>
        <WorldTable view={view} />
      </div>
      <div className="facilitator__col facilitator__col--wide">
        <NowPanel view={view} />
        <WhiteCellNotes view={view} messages={session.messages} />
        <FacilitatorNotes view={view} />
        {(view.phase === 'outcome' || view.phase === 'debrief') && <Debrief view={view} />}
        <AdjudicationReview session={session} view={view} />
        <RubricScoring session={session} view={view} />
        <ResolutionHistory view={view} heading="Resolutions" />
      </div>
      <div className="facilitator__col">
        <ChannelPanel session={session} view={view} slot="facilitator" self={null} heading="All channels (you write as the white cell)" />
        <section className="panel">
          <Timeline view={view} />
        </section>
      </div>
    </main>
  );
}

/** The beat in play and its situation; between beats, the scenario and what the room is reading. */
function NowPanel({ view }: { view: GameView }) {
  const beat = view.beat;
  return (
    <section className="panel now" aria-labelledby="beat-heading">
      {beat ? (
        <>
          <p className="eyebrow">
            Beat {beat.index} · {beat.date} · {PHASE_LABEL[view.phase]}
          </p>
          <h2 id="beat-heading" data-testid="beat-title">
            {beat.title}
          </h2>
          <p className="prose">{beat.situation}</p>
        </>
      ) : (
        <>
          <p className="eyebrow">
            {view.phase === 'outcome' || view.phase === 'debrief' ? `Scenario · game over after ${view.resolutions.length} beat${view.resolutions.length === 1 ? '' : 's'}` : PHASE_LABEL[view.phase]}
          </p>
          <h2 id="beat-heading">{view.scenario.title}</h2>
          <p className="prose">{view.phase === 'lobby' ? view.scenario.summary : view.phase === 'briefing' ? view.scenario.openingBriefing : ''}</p>
        </>
      )}
    </section>
  );
}

export function WorldTable({ view }: { view: GameView }) {
  const seats = view.scenario.seats.filter((s) => s.inPlay && view.world.measures[s.id]);
  return (
    <section className="panel" aria-labelledby="world-heading">
      <h2 id="world-heading" className="panel-title">
        World state
      </h2>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Measures per seat (scrolls sideways)">
        <table className="world-table">
          <caption className="visually-hidden">Measures per seat</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              {seats.map((s) => (
                <th key={s.id} scope="col">
                  <abbr title={s.name}>{s.short}</abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {view.scenario.measures.map((m) => (
              <tr key={m.id}>
                <th scope="row" title={m.description}>
                  {m.label}
                </th>
                {seats.map((s) => (
                  <td key={s.id}>{view.world.measures[s.id]?.[m.id] ?? '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {view.world.flags && view.world.flags.length > 0 && (
        <p className="small">
          <span className="muted">Flags:</span> {view.world.flags.map(humanize).join(', ')}
        </p>
      )}
    </section>
  );
}

function ExportButton({ sessionId, token }: { sessionId: string; token: string }) {
  const run = async () => {
    downloadBlob(`rubicon-${sessionId}.json`, await exportSession(sessionId, token));
    return 'Downloaded.';
  };
  return (
    <StatusButton className="btn btn--small btn--ghost" testId="export" busy="Preparing…" failed="Export failed." run={run}>
      Export session file
    </StatusButton>
  );
}

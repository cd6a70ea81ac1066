import './replay.css';
import type { ReactNode } from 'react';
import type { GameView, WireMessage } from '@rubicon/shared';
import { rubricTable } from '@rubicon/shared/rubric-table';
import { EscalationLadder } from '../display/EscalationLadder.tsx';
import { MapView } from '../display/MapView.tsx';
import { Timeline } from '../display/Timeline.tsx';
import { WorldTable } from '../facilitate/FacilitatorConsole.tsx';
import { SeatTable } from '../facilitate/SeatStatus.tsx';
import { OutcomePanel } from '../session/OutcomePanel.tsx';
import { ResolutionHistory } from '../session/ResolutionHistory.tsx';
import { PHASE_LABEL, seatName } from '../lib/describe.ts';
import { timeOfDay } from '../lib/time.ts';
import { RubricTable } from '../report/RubricTable.tsx';

/**
 * What one viewer sees of a session, from its GameView and messages (the
 * very values the server computes with viewFor/messagesFor): the beat, the
 * private briefing, the move menu and draft, the map, the ladder, the
 * measures, the messages. Read-only: nothing here acts. The replay viewer
 * shows it at the scrubbed moment; the white cell's "view as" shows it live.
 */
export function PointOfView({ view, messages, eyebrow }: { view: GameView; messages: WireMessage[]; eyebrow: ReactNode }) {
  const facilitator = view.viewer.kind === 'facilitator';
  return (
    <div className="replay__grid">
      <div className="replay__col">
        <BeatNow view={view} eyebrow={eyebrow} />
        {(view.phase === 'outcome' || view.phase === 'debrief') && <OutcomePanel view={view} />}
        {view.beat && (
          <section className="panel" aria-labelledby="pov-seats">
            <h2 id="pov-seats" className="panel-title">
              Seats
            </h2>
            <SeatTable view={view} presence={null} showDrafts={facilitator} />
          </section>
        )}
        <section className="panel replay__map">
          <MapView view={view} />
        </section>
      </div>
      <div className="replay__col">
        <section className="panel">
          <EscalationLadder rungs={view.scenario.rungs} level={view.world.ladder} />
        </section>
        <WorldTable view={view} />
        <RubricSoFar view={view} />
        <ResolutionHistory view={view} heading="Resolutions so far" />
      </div>
      <div className="replay__col">
        <Messages view={view} messages={messages} />
        <section className="panel">
          <Timeline view={view} />
        </section>
      </div>
    </div>
  );
}

/** The beat as this viewer had it: the situation, its private briefing, its draft or locked move, and its menu. */
function BeatNow({ view, eyebrow }: { view: GameView; eyebrow: ReactNode }) {
  return (
    <section className="panel now" aria-labelledby="pov-beat">
      <p className="eyebrow">{eyebrow}</p>
      <h2 id="pov-beat" data-testid="replay-beat" data-beat={view.beat?.id ?? ''}>
        {view.beat ? view.beat.title : PHASE_LABEL[view.phase]}
      </h2>
      {view.beat && <p className="prose">{view.beat.situation}</p>}
      {view.briefing && (
        <p className="prose" data-testid="replay-briefing">
          <strong>Private briefing:</strong> {view.briefing}
        </p>
      )}
      {view.mySubmission && (
        <p data-testid="replay-my-draft">
          <strong>{view.mySubmission.locked ? 'Locked in' : 'Draft'}:</strong> {view.menu?.moves.find((m) => m.id === view.mySubmission?.move)?.title ?? view.mySubmission.move}
          {view.mySubmission.rationale && <span className="muted"> — {view.mySubmission.rationale}</span>}
        </p>
      )}
      {view.menu && (
        <details data-testid="pov-menu">
          <summary>The move menu ({view.menu.moves.length} moves)</summary>
          <p className="small muted">{view.menu.prompt}</p>
          <ul className="small">
            {view.menu.moves.map((m) => (
              <li key={m.id}>
                <strong>{m.title}</strong>
                {m.id === view.menu?.defaultMove && <span className="muted"> (default)</span>} — {m.description}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** The white cell's rubric scores given by this moment, when the scenario has a rubric. */
function RubricSoFar({ view }: { view: GameView }) {
  if (!view.rubric) return null;
  return (
    <section className="panel" aria-labelledby="pov-rubric">
      <h2 id="pov-rubric" className="panel-title">
        Rubric scores so far
      </h2>
      <RubricTable
        rubric={rubricTable(view.rubric, (id) => view.scenario.beats.find((b) => b.id === id)?.title ?? id)}
        seatName={(s) => seatName(view.scenario, s)}
      />
    </section>
  );
}

/** Per channel, the latest this many: drawing thousands at every scrub would make scrubbing slow. */
const SHOWN_PER_CHANNEL = 100;

/** The messages this point of view had received by now, by channel. */
function Messages({ view, messages }: { view: GameView; messages: WireMessage[] }) {
  const byChannel = view.channels
    .map((c) => ({ channel: c, list: messages.filter((m) => m.channel === c.id) }))
    .filter((g) => g.list.length > 0);
  return (
    <section className="panel" aria-labelledby="pov-messages" data-testid="replay-messages">
      <h2 id="pov-messages" className="panel-title">
        Messages ({messages.length})
      </h2>
      {byChannel.length === 0 && <p className="muted">No messages yet from this point of view.</p>}
      {byChannel.map(({ channel, list }) => (
        <div key={channel.id} className="replay__channel">
          <h3 className="small">
            {channel.title} <span className="muted">({list.length})</span>
          </h3>
          {list.length > SHOWN_PER_CHANNEL && (
            <p className="small muted">{list.length - SHOWN_PER_CHANNEL} earlier messages are not shown here; the after-action report lists them all.</p>
          )}
          <ol className="replay__messages">
            {list.slice(-SHOWN_PER_CHANNEL).map((m) => (
              <li key={m.id} data-testid="replay-message">
                <span className="small muted">
                  {timeOfDay(m.at)} · {seatName(view.scenario, m.from)}
                </span>{' '}
                {m.text}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}

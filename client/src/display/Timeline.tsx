import type { GameView } from '@rubicon/shared';
import { timelineEntries } from '../lib/timeline.ts';
import { timeOfDay } from '../lib/time.ts';

const KIND_TEXT = { resolution: 'Resolved', inject: 'Inject', outcome: 'Outcome' } as const;

/** The session's story so far: resolved beats, injects and the outcome, oldest first (or the latest few). */
export function Timeline({ view, latest, headingLevel = 2 }: { view: GameView; latest?: number; headingLevel?: 2 | 3 }) {
  const all = timelineEntries(view);
  const entries = latest ? all.slice(-latest) : all;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="timeline" aria-labelledby="timeline-heading" data-testid="timeline">
      <H id="timeline-heading" className="panel-title">
        Timeline
      </H>
      {entries.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ol className="timeline__list">
          {latest && all.length > entries.length && <li className="timeline__more muted">{all.length - entries.length} earlier</li>}
          {entries.map((e) => (
            <li key={e.key} className={`timeline__item timeline__item--${e.kind}`} data-testid={`timeline-${e.kind}`}>
              <span className="timeline__kind">{KIND_TEXT[e.kind]}</span>
              {e.kind !== 'outcome' && (
                <time className="timeline__time" dateTime={new Date(e.at).toISOString()}>
                  {timeOfDay(e.at)}
                </time>
              )}
              <span className="timeline__title">{e.title}</span>
              {e.kind === 'resolution' && e.ladder && (
                <span className="timeline__ladder">
                  Escalation {e.ladder.from} → {e.ladder.to}
                  {e.ladder.to > e.ladder.from ? ' ▲' : ' ▼'}
                </span>
              )}
              <span className="timeline__detail">{e.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

import type { GameView, ResolutionView } from '@rubicon/shared';
import { withAlso } from '@rubicon/shared/also';
import { describeCause, describeChange, formatRoll, seatName } from '../lib/describe.ts';

/** The title of a move a seat took in a resolution, main or beside it. */
function moveTitleIn(choices: GameView['resolutions'][number]['choices'], seat: string, move: string): string | undefined {
  const c = choices.find((x) => x.seat === seat);
  return c?.move === move ? c.title : c?.also.find((a) => a.move === move)?.title;
}

/** One resolved beat: what was chosen (as far as this viewer may see), the draws, what happened, what changed. */
export function ResolutionCard({ r, scenario, headingLevel = 3 }: { r: ResolutionView; scenario: GameView['scenario']; headingLevel?: 3 | 4 }) {
  const H = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <article className="resolution" data-testid="resolution" data-beat={r.beat}>
      <H className="resolution__title">
        <span className="resolution__index">Beat {r.beatIndex}</span> {r.title} <span className="resolution__date">· {r.date}</span>
      </H>
      {r.narrative.length > 0 && (
        <div className="resolution__narrative">
          {r.narrative.map((n, i) => (
            <p key={i}>{n.text}</p>
          ))}
        </div>
      )}
      {r.choices.length > 0 && (
        <dl className="resolution__choices">
          {r.choices.map((c) => (
            <div key={c.seat} className="resolution__choice">
              <dt>{seatName(scenario, c.seat)}</dt>
              <dd>
                <strong>{withAlso(c.title, c.also.map((a) => a.title))}</strong>
                {c.defaulted && <span className="muted"> (no decision in time: default)</span>}
                {c.rationale && <span className="resolution__rationale">“{c.rationale}”</span>}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {r.draws.length > 0 && (
        <ul className="resolution__draws" aria-label="Random draws">
          {r.draws.map((d) => (
            <li key={d.draw}>
              <span className="resolution__draw-tag">Draw</span>{' '}
              {d.title}: <strong>{d.label}</strong> <span className="muted">(roll {formatRoll(d.roll)})</span>
            </li>
          ))}
        </ul>
      )}
      {r.changes.length > 0 && (
        <details className="resolution__changes">
          <summary>What changed ({r.changes.length})</summary>
          <ul>
            {r.changes.map((c, i) => (
              <li key={i}>
                {describeChange(scenario, c)} <span className="muted">— {describeCause(scenario, c.cause, {
                    move: (_b, seat, move) => moveTitleIn(r.choices, seat, move),
                    rule: (rule) => r.ruleText[rule],
                  })}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {r.override && <p className="resolution__override">White cell override: {r.override.reason}</p>}
    </article>
  );
}

/** Resolved beats, newest first. `exclude` leaves out one (by version) that the screen already shows. */
export function ResolutionHistory({ view, heading = 'What has happened', exclude }: { view: GameView; heading?: string; exclude?: number | undefined }) {
  const list = view.resolutions.filter((r) => r.version !== exclude).reverse();
  return (
    <section className="history panel" aria-labelledby="history-heading" data-testid="history">
      <h2 id="history-heading" className="panel-title">
        {heading}
      </h2>
      {list.length === 0 ? <p className="muted">No beat has been resolved yet.</p> : list.map((r) => <ResolutionCard key={r.version} r={r} scenario={view.scenario} />)}
    </section>
  );
}

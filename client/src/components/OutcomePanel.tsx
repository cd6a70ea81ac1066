import type { GameView } from '@rubicon/shared';
import { seatName } from '../lib/describe.ts';

/** The game's end: the outcome, how it was reached, and the path history actually took. */
export function OutcomePanel({ view, large = false }: { view: GameView; large?: boolean }) {
  const o = view.outcome;
  if (!o) return null;
  return (
    <section
      className={`outcome panel panel--accent${large ? ' outcome--large' : ''}`}
      aria-labelledby="outcome-heading"
      // On the projector the panel may scroll (overflow: auto), so it must be reachable by keyboard.
      tabIndex={large ? 0 : undefined}
      data-testid="outcome"
    >
      <p className="eyebrow">Outcome{o.by === 'facilitator' ? ' (declared by the white cell)' : ''}</p>
      <h2 id="outcome-heading" className="outcome__title" data-testid="outcome-title">
        {o.title}
      </h2>
      <p className="outcome__desc">{o.description}</p>
      {o.reason && <p className="outcome__reason">White cell: {o.reason}</p>}
      <div className="outcome__paths">
        <div>
          <h3 className="subhead">This session’s path</h3>
          <ol className="outcome__path">
            {o.path.map((p, i) => (
              <li key={`${p.id}-${i}`}>{p.title}</li>
            ))}
          </ol>
        </div>
        <div>
          <h3 className="subhead">What happened historically: {o.historical.title}</h3>
          <ol className="outcome__path">
            {o.historical.path.map((s, i) => (
              <li key={i}>
                {seatName(view.scenario, s.seat)}: {s.title}
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}

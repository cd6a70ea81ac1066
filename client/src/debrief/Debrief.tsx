import './teach.css';
import type { GameView } from '@rubicon/shared';
import { OutcomePanel } from '../session/OutcomePanel.tsx';
import { ProfileDetails } from '../play/RoleProfile.tsx';
import { WhyItWent } from './WhyItWent.tsx';

/**
 * The debrief phase: the questions for the outcome reached, the path beside
 * history, why it went this way, and (now that nothing is secret) every
 * team's role profile.
 */
export function Debrief({ view, large = false }: { view: GameView; large?: boolean }) {
  const d = view.teaching?.debrief;
  return (
    <div className="debrief" data-testid="debrief">
      {d && d.questions.length > 0 && (
        <section className="panel panel--accent" aria-labelledby="debrief-heading">
          <p className="eyebrow">Debrief</p>
          <h2 id="debrief-heading" className="panel-title">
            Questions to discuss
          </h2>
          <ol className="debrief__questions" data-testid="debrief-questions">
            {d.questions.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ol>
        </section>
      )}
      <OutcomePanel view={view} large={large} />
      {d && <WhyItWent causes={d.causes} />}
      {d && d.profiles.length > 0 && (
        <section className="panel" aria-labelledby="profiles-heading">
          <h2 id="profiles-heading" className="panel-title">
            Every team’s brief
          </h2>
          {d.profiles.map((p) => (
            <details key={p.seat} className="debrief__profile">
              <summary>{p.name}</summary>
              <ProfileDetails profile={p.profile} headingLevel={4} />
            </details>
          ))}
        </section>
      )}
    </div>
  );
}

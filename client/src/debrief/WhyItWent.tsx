import type { BranchCause } from '@rubicon/shared';

/** "Why it went this way": per beat left, where the game went and the facts that decided it. */
export function WhyItWent({ causes }: { causes: BranchCause[] }) {
  if (causes.length === 0) return null;
  return (
    <section className="panel why" aria-labelledby="why-heading" data-testid="why">
      <h2 id="why-heading" className="panel-title">
        Why it went this way
      </h2>
      <ol className="why__list">
        {causes.map((c, i) => (
          <li key={`${c.beat}-${i}`} className="why__step" data-testid="why-step" data-beat={c.beat}>
            <p className="why__edge">
              <strong>{c.beatTitle}</strong> <span aria-hidden="true">→</span>
              <span className="visually-hidden">led to</span> <strong>{c.to.title}</strong>
              {c.to.kind === 'outcome' && <span className="tag">outcome</span>}
            </p>
            {c.endedBy ? (
              <p className="muted">The white cell ended the game here{c.endedBy.reason ? `: ${c.endedBy.reason}` : '.'}</p>
            ) : (
              <>
                {c.because.length > 0 && (
                  <>
                    <p className="small muted">Because:</p>
                    <ul data-testid="why-because">
                      {c.because.map((f) => (
                        <li key={f}>{f}</li>
                      ))}
                    </ul>
                  </>
                )}
                {c.fallback && c.passedOver.length === 0 && <p className="small muted">This beat always leads there.</p>}
                {c.passedOver.length > 0 && (
                  <>
                    <p className="small muted">{c.fallback ? 'None of the other branches applied:' : 'Branches checked first, which did not apply:'}</p>
                    <ul className="why__passed">
                      {c.passedOver.map((p, k) => (
                        <li key={`${p.to.id}-${k}`}>
                          Not {p.to.title}: {p.unmet.join('; ')}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

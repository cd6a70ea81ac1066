import type { GameView } from '@rubicon/shared';

interface Props {
  rungs: GameView['scenario']['rungs'];
  level: number;
  /** Show each rung's description (the projector) or names only. */
  detailed?: boolean;
  headingLevel?: 2 | 3;
}

/** The escalation ladder, highest rung on top. The current rung is marked in words and shape, not only colour. */
export function EscalationLadder({ rungs, level, detailed = false, headingLevel = 2 }: Props) {
  const sorted = [...rungs].sort((a, b) => b.level - a.level);
  const max = sorted[0]?.level ?? 0;
  const current = rungs.find((r) => r.level === level);
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className={`ladder${detailed ? ' ladder--detailed' : ''}`} aria-labelledby="ladder-heading" data-testid="ladder">
      <H id="ladder-heading" className="panel-title">
        Escalation ladder
      </H>
      <p className="ladder__summary" data-testid="ladder-summary">
        Level {level} of {max}: <strong>{current?.name ?? '—'}</strong>
      </p>
      <ol className="ladder__rungs">
        {sorted.map((r) => {
          const state = r.level === level ? 'current' : r.level < level ? 'below' : 'above';
          return (
            <li
              key={r.level}
              className={`ladder__rung ladder__rung--${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
              data-testid={state === 'current' ? 'ladder-current' : undefined}
              style={{ ['--heat' as string]: String(max === 0 ? 0 : r.level / max) }}
            >
              <span className="ladder__level" aria-hidden="true">
                {r.level}
              </span>
              <span className="ladder__text">
                <span className="ladder__name">
                  <span className="visually-hidden">Level {r.level}: </span>
                  {r.name}
                  {state === 'current' && <span className="ladder__now"> ◀ now</span>}
                </span>
                {detailed && state === 'current' && <span className="ladder__desc">{r.description}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

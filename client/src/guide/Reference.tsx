import type { TeachingDocument } from '@rubicon/shared';

/** Parts both the guide and the handouts print. */
export function Objectives({ doc }: { doc: TeachingDocument }) {
  if (doc.objectives.length === 0) return null;
  return (
    <section className="doc__section" aria-labelledby={`objectives-${doc.id}`}>
      <h2 id={`objectives-${doc.id}`}>Learning objectives</h2>
      <ol data-testid="objectives">
        {doc.objectives.map((o) => (
          <li key={o.id}>{o.text}</li>
        ))}
      </ol>
    </section>
  );
}

export function Glossary({ doc, headingId = 'glossary', level = 2 }: { doc: TeachingDocument; headingId?: string; level?: 2 | 3 }) {
  if (doc.glossary.length === 0) return null;
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <section className="doc__section" aria-labelledby={headingId}>
      <H id={headingId}>Glossary</H>
      <dl className="doc__glossary">
        {doc.glossary.map((g) => (
          <div key={g.term}>
            <dt>{g.term}</dt>
            <dd>{g.definition}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function Sources({ doc }: { doc: TeachingDocument }) {
  if (doc.sources.length === 0) return null;
  return (
    <section className="doc__section" aria-labelledby="sources">
      <h2 id="sources">Sources</h2>
      <ul className="doc__sources">
        {doc.sources.map((s) => (
          <li key={s.id}>
            {s.url ? <a href={s.url}>{s.title}</a> : s.title}
            {s.publisher && <>, {s.publisher}</>}
            {s.date && <> ({s.date})</>}
            {s.note && <span className="muted"> · {s.note}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

import '../debrief/teach.css';
import type { GameView } from '@rubicon/shared';

/** The white cell's notes for the current beat: what to watch for, when an inject helps, what to ask. */
export function FacilitatorNotes({ view }: { view: GameView }) {
  const notes = view.teaching?.notes;
  if (!notes || (notes.watchFor.length === 0 && notes.injects.length === 0 && notes.discussion.length === 0)) return null;
  return (
    <section className="panel notes" aria-labelledby="notes-heading" data-testid="facilitator-notes" data-beat={notes.beat}>
      <h2 id="notes-heading" className="panel-title">
        Facilitator notes <span className="tag">white cell only</span>
      </h2>
      {notes.watchFor.length > 0 && (
        <>
          <h3 className="subhead">Watch for</h3>
          <ul data-testid="notes-watch-for">
            {notes.watchFor.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </>
      )}
      {notes.injects.length > 0 && (
        <>
          <h3 className="subhead">When an inject helps</h3>
          <ul>
            {notes.injects.map((i) => (
              <li key={i.inject}>
                <strong>{i.title}</strong>: {i.when}
              </li>
            ))}
          </ul>
        </>
      )}
      {notes.discussion.length > 0 && (
        <>
          <h3 className="subhead">Questions for discussion</h3>
          <ol data-testid="notes-discussion">
            {notes.discussion.map((q) => (
              <li key={q}>{q}</li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

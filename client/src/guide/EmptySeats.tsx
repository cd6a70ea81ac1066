import type { TeachingDocument } from '@rubicon/shared';

/**
 * The guide's section on seats no team plays: bots from Setup or mid-game,
 * taking a seat back, a language model in a seat and what its fallback
 * notes mean. The control names are those on the screens (SeatBotPicker,
 * the console's link and its notes panel), so the white cell can find them.
 */
export function EmptySeats({ doc }: { doc: TeachingDocument }) {
  const seats = doc.seats.filter((s) => s.personas.length > 0);
  return (
    <section className="doc__section" aria-labelledby="g-bots" data-testid="guide-bots">
      <h2 id="g-bots">Empty seats: bots and language models</h2>
      <p className="prose">
        A class with fewer teams than seats still plays every seat. On the setup page, each seat’s card has a <strong>Played by</strong> choice:{' '}
        <em>People, with the code</em>, one of the seat’s bots, or a language model if the server has one. During the game the console’s{' '}
        <strong>Join codes and bots</strong> link opens the same page. Every choice is recorded in the session, so a replay and an export show who
        played each seat.
      </p>
      <h3>Filling a seat, and taking it back</h3>
      <ul>
        <li>
          <strong>Before the game:</strong> pick a bot for each seat no team will take. It joins with the seat’s code like a player, locks in a move a
          little while after planning opens (always before the deadline) and writes short messages in its channels; as the mediators it passes
          messages on in the mediated channel.
        </li>
        <li>
          <strong>Mid-game, when a team leaves:</strong> open <em>Join codes and bots</em> from the console and choose a bot for its seat. It takes up
          the decision in front of the seat, so the beat does not wait on the empty chairs.
        </li>
        <li>
          <strong>Taking it back:</strong> set the seat to <em>People, with the code</em>. Players who join with the code (or come back) find the seat
          as the bot left it and can still change its move while planning is open.
        </li>
        <li>Everyone can see which seats a bot plays: the seat’s own console says so, and the lists of who locked in mark it.</li>
      </ul>
      {seats.length > 0 && (
        <>
          <h3>The bots</h3>
          <p className="prose">Each plays its seat with its own temperament, as the <em>Played by</em> choice lists them:</p>
          <dl className="doc__bots">
            {seats.map((s) => (
              <div key={s.id}>
                <dt>{s.name}</dt>
                {s.personas.map((p) => (
                  <dd key={p.id}>
                    <strong>{p.name}</strong>: {p.summary}
                  </dd>
                ))}
              </div>
            ))}
          </dl>
        </>
      )}
      <h3>A language model in a seat</h3>
      <p className="prose">
        If the server was set up with a language model, <em>Played by</em> also offers <em>A language model</em> with its name; if not, the choice
        is greyed out and <em>Why no language model?</em> says why. The model reads what the seat’s team would see (its view, briefing and
        messages) and answers with a move, a rationale and perhaps messages. When it gives no playable answer in time, even after one chance to
        correct itself, the seat plays its default move and the reason appears on your console under <strong>Notes from the seats</strong>, which no
        one else sees. Read those notes as you go: a seat that keeps falling back is not really being played, and is better handed to a bot or to
        people.
      </p>
    </section>
  );
}

import { useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { LLM_BOT, seatBotUnavailable, type BotOptions, type PersonaChoice } from '@rubicon/shared/bots';
import type { Session } from '../net/useSession.ts';

/**
 * Who plays a seat: people with its code, a bot persona, or a language model
 * when the server has one. The facilitator can hand a seat over before the
 * game or mid-game (a team that left), and take it back; the choice is a
 * logged command, so replays know it.
 */
export function SeatBotPicker({ session, view, seat, bots }: { session: Session; view: GameView; seat: string; bots: { options: BotOptions | null; error: string | null } }) {
  const { options } = bots;
  const { busy, error, choose } = useSeatBotChoice(session, seat);
  const personas = options?.seats[seat]?.personas ?? [];
  const llm = options?.llm ?? null;
  const current = view.bots.find((b) => b.seat === seat)?.bot ?? '';
  const over = view.phase === 'outcome' || view.phase === 'debrief';

  return (
    <div className="code-card__bot">
      <label>
        <span className="small">Played by </span>
        <select value={current} disabled={busy || over || options === null} onChange={(e) => void choose(e.target.value)} data-testid={`bot-select-${seat}`}>
          <option value="">People, with the code</option>
          {personas.map((p) => (
            <option key={p.id} value={p.id}>
              A bot: {p.name}
            </option>
          ))}
          {llm && (
            // The server's own rule, so the page never offers what SET_SEAT_BOT would refuse; a seat it already
            // plays (a log from a server with a model) stays selectable, so the select can show it.
            <option value={LLM_BOT} disabled={seatBotUnavailable(LLM_BOT, llm) !== null && current !== LLM_BOT}>
              {llm.available ? `A language model (${llm.model})` : 'A language model (not configured)'}
            </option>
          )}
        </select>
      </label>
      <BotStatus seat={seat} persona={personas.find((p) => p.id === current)} llmPlays={current === LLM_BOT} llm={llm} />
      {bots.error && (
        <p className="small" role="alert">
          The list of bots could not be loaded: {bots.error}
        </p>
      )}
      {error && (
        <p className="small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Sends the facilitator's choice for the seat (a persona id, or '' for people) and keeps its refusal to show. */
function useSeatBotChoice(session: Session, seat: string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = async (bot: string) => {
    setBusy(true);
    setError(null);
    const r = await session.send({ type: 'SET_SEAT_BOT', seat, bot: bot === '' ? null : bot });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
  };
  return { busy, error, choose };
}

/** What plays the seat now, in words, and why no language model is on offer when the server has none. */
function BotStatus({ seat, persona, llmPlays, llm }: { seat: string; persona: PersonaChoice | undefined; llmPlays: boolean; llm: BotOptions['llm'] | null }) {
  return (
    <>
      {persona && (
        <p className="small muted" data-testid={`bot-status-${seat}`}>
          Played by a bot ({persona.name}): {persona.summary}
        </p>
      )}
      {llmPlays && (
        <p className="small muted" data-testid={`bot-status-${seat}`}>
          Played by a language model. If it gives no playable answer, the seat plays its default move and tells the white cell why (in the console’s notes from the seats).
        </p>
      )}
      {llm && !llm.available && (
        <details className="small muted" data-testid={`llm-absent-${seat}`}>
          <summary>Why no language model?</summary>
          {llm.reason}
        </details>
      )}
    </>
  );
}

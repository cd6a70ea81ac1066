import { useState } from 'react';
import type { GameView } from '@rubicon/shared';
import { personasFor } from '@rubicon/shared/bots';
import type { Session } from '../net/useSession.ts';

/**
 * Who plays a seat: people with its code, or a bot persona. The facilitator
 * can hand a seat to a bot before the game or mid-game (a team that left),
 * and take it back; the choice is a logged command, so replays know it.
 */
export function SeatBotPicker({ session, view, seat }: { session: Session; view: GameView; seat: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const personas = personasFor(view.scenario, seat);
  const current = view.bots.find((b) => b.seat === seat)?.bot ?? '';
  const over = view.phase === 'outcome' || view.phase === 'debrief';
  const persona = personas.find((p) => p.id === current);

  const choose = async (bot: string) => {
    setBusy(true);
    setError(null);
    const r = await session.send({ type: 'SET_SEAT_BOT', seat, bot: bot === '' ? null : bot });
    setBusy(false);
    if (!r.ok) setError(r.error.message);
  };

  return (
    <div className="code-card__bot">
      <label>
        <span className="small">Played by </span>
        <select value={current} disabled={busy || over} onChange={(e) => void choose(e.target.value)} data-testid={`bot-select-${seat}`}>
          <option value="">People, with the code</option>
          {personas.map((p) => (
            <option key={p.id} value={p.id}>
              A bot: {p.name}
            </option>
          ))}
        </select>
      </label>
      {persona && (
        <p className="small muted" data-testid={`bot-status-${seat}`}>
          Played by a bot ({persona.name}): {persona.summary}
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

import type { GameView, Presence } from '@rubicon/shared';
import { withAlso } from '@rubicon/shared/also';
import { LLM_BOT } from '@rubicon/shared/bots';

type Seat = GameView['scenario']['seats'][number];

export type SeatState = 'locked' | 'draft' | 'waiting' | 'idle' | 'defaulted';

/**
 * Where a seat stands in the current beat. Once planning has closed, a seat
 * that had not locked in is shown as defaulted: its default move was taken.
 */
export function seatState(view: GameView, seat: string): SeatState {
  const beat = view.beat;
  if (!beat || !beat.actingSeats.includes(seat)) return 'idle';
  if (view.phase === 'planning') {
    if (beat.lockedIn.includes(seat)) return 'locked';
    return beat.submitted.includes(seat) ? 'draft' : 'waiting';
  }
  const choice =
    view.proposal?.choices.find((c) => c.seat === seat) ??
    view.resolutions.findLast((r) => r.beat === beat.id && r.beatIndex === beat.index)?.choices.find((c) => c.seat === seat);
  if (choice) return choice.defaulted ? 'defaulted' : 'locked';
  return beat.lockedIn.includes(seat) ? 'locked' : 'defaulted';
}

export const STATE_TEXT: Record<SeatState, { icon: string; text: string }> = {
  locked: { icon: '✓', text: 'Locked in' },
  draft: { icon: '✎', text: 'Drafting' },
  waiting: { icon: '…', text: 'Deciding' },
  idle: { icon: '·', text: 'Not acting this beat' },
  defaulted: { icon: '–', text: 'Defaulted' },
};

export function SeatChip({ seat }: { seat: Seat }) {
  return (
    <span className="seat-chip" style={{ ['--seat' as string]: seat.color }}>
      <span className="seat-chip__swatch" aria-hidden="true" />
      {seat.name}
    </span>
  );
}

/** Who plays a seat that people do not: a bot persona or a language model (nothing for a seat of people). */
function BotTag({ view, seat, testId }: { view: GameView; seat: string; testId: string }) {
  const bot = view.bots.find((b) => b.seat === seat)?.bot;
  if (bot === undefined) return null;
  return (
    <span className="tag" data-testid={testId}>
      {bot === LLM_BOT ? 'language model' : 'bot'}
    </span>
  );
}

/** Projector: who has locked in for the beat (never what). */
export function LockIns({ view, strip = false }: { view: GameView; strip?: boolean }) {
  const beat = view.beat;
  const seats = view.scenario.seats.filter((s) => beat?.actingSeats.includes(s.id));
  const locked = seats.filter((s) => beat?.lockedIn.includes(s.id)).length;
  return (
    <section className={`lockins${strip ? ' lockins--strip' : ''}`} aria-labelledby="lockins-heading" data-testid="lockins">
      <h2 id="lockins-heading" className="panel-title">
        Decisions{seats.length > 0 ? ` · ${locked} of ${seats.length} locked in` : ''}
      </h2>
      {seats.length === 0 ? (
        <p className="muted">No decisions are open.</p>
      ) : (
        <ul className="lockins__list">
          {seats.map((s) => {
            const st = seatState(view, s.id);
            return (
              <li key={s.id} className={`lockins__item lockins__item--${st}`} data-testid={`lockin-${s.id}`} data-state={st}>
                <span className="lockins__icon" aria-hidden="true">
                  {STATE_TEXT[st].icon}
                </span>
                <SeatChip seat={s} />
                <BotTag view={view} seat={s.id} testId={`bot-tag-${s.id}`} />
                <span className="lockins__state">{STATE_TEXT[st].text}</span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function presenceText(presence: Presence | null, seat: string): { text: string; joined: boolean } {
  const n = presence?.seats[seat] ?? 0;
  if (!presence) return { text: 'Unknown', joined: false };
  return n === 0 ? { text: 'Not joined', joined: false } : { text: n === 1 ? 'Joined (1 device)' : `Joined (${n} devices)`, joined: true };
}

/** Facilitator: every seat in play, who is connected, and where each stands in the beat (with the draft). */
export function SeatTable({ view, presence, showDrafts }: { view: GameView; presence: Presence | null; showDrafts: boolean }) {
  const seats = view.scenario.seats.filter((s) => s.inPlay);
  return (
    <>
      <ul className="seat-list" data-testid="seat-table">
        {seats.map((s) => {
          const p = presenceText(presence, s.id);
          const st = seatState(view, s.id);
          const sub = view.submissions?.[s.id];
          const decision = view.decisions?.find((d) => d.seat === s.id);
          const undecided = view.phase === 'planning' && decision && !view.beat?.lockedIn.includes(s.id);
          return (
            <li key={s.id} className={`seat-list__item seat-list__item--${st}`} data-testid={`seat-row-${s.id}`} style={{ ['--seat' as string]: s.color }}>
              <div className="seat-list__head">
                <SeatChip seat={s} />
                <BotTag view={view} seat={s.id} testId={`seat-bot-${s.id}`} />
                <span className={`seat-list__presence${p.joined ? ' seat-list__presence--joined' : ''}`} data-testid={`presence-${s.id}`} data-joined={p.joined}>
                  <span aria-hidden="true">{p.joined ? '● ' : '○ '}</span>
                  {p.text}
                </span>
              </div>
              <div className="seat-list__state" data-testid={`status-${s.id}`} data-state={st}>
                <span aria-hidden="true">{STATE_TEXT[st].icon} </span>
                {STATE_TEXT[st].text}
                {showDrafts && sub && (
                  <>
                    {': '}
                    <strong>{withAlso(sub.title, decision?.submission?.alsoTitles ?? [])}</strong>
                  </>
                )}
              </div>
              {undecided && (
                <p className="muted small seat-list__default" data-testid={`default-${s.id}`}>
                  Default if undecided: <strong>{decision.defaultMove.title}</strong>
                </p>
              )}
              {showDrafts && sub?.rationale && <p className="seat-list__rationale">“{sub.rationale}”</p>}
            </li>
          );
        })}
      </ul>
      {presence && (
        <p className="muted small seat-list__foot">
          White cell connected: {presence.facilitators} · Displays and observers: {presence.observers}
        </p>
      )}
    </>
  );
}

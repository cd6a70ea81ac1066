import { capitalised, type ChangeView, type Effect, type FixedEffect, type GameView, type WireMessage, type SeatId } from '@rubicon/shared';

/** Words for ids: how a seat, a measure, a cause or a change reads on screen. Text only, no rules. */

type ScenarioView = GameView['scenario'];

export function humanize(slug: string): string {
  const s = slug.replace(/[-_]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function seatName(scenario: ScenarioView, seat: SeatId | null): string {
  if (seat === null) return 'White cell';
  return scenario.seats.find((s) => s.id === seat)?.name ?? humanize(seat);
}

/** A seat as a sentence that starts with it names it: "The United States chose…", where a label would say "United States". */
function seatStartingSentence(scenario: ScenarioView, seat: SeatId): string {
  const found = scenario.seats.find((s) => s.id === seat);
  return found ? capitalised(found.inSentence) : humanize(seat);
}

/** "Iran · Sara" when the writer gave a name, else the seat alone. */
export function authorLabel(scenario: ScenarioView, m: Pick<WireMessage, 'from' | 'fromName'>): string {
  const seat = seatName(scenario, m.from);
  return m.fromName ? `${seat} · ${m.fromName}` : seat;
}

export function measureLabel(scenario: ScenarioView, measure: string): string {
  return scenario.measures.find((m) => m.id === measure)?.label ?? humanize(measure);
}

export function beatTitle(scenario: ScenarioView, beat: string): string {
  return scenario.beats.find((b) => b.id === beat)?.title ?? humanize(beat);
}

export function rungName(scenario: ScenarioView, level: number): string {
  return scenario.rungs.find((r) => r.level === level)?.name ?? `Level ${level}`;
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `−${Math.abs(n)}` : '±0';
}

/** "Escalation 3 → 4", "Israel · Deterrence 50 → 55", "Flag hotline-open set". */
export function describeChange(scenario: ScenarioView, c: Pick<ChangeView, 'target' | 'from' | 'to'>): string {
  switch (c.target.kind) {
    case 'ladder':
      return `Escalation ${c.from} → ${c.to} (${rungName(scenario, c.to)})`;
    case 'measure':
      return `${seatName(scenario, c.target.seat)} · ${measureLabel(scenario, c.target.measure)} ${c.from} → ${c.to} (${signed(c.to - c.from)})`;
    case 'flag':
      return `${humanize(c.target.flag)}: ${c.to ? 'now true' : 'no longer true'}`;
  }
}

export function describeEffect(scenario: ScenarioView, e: Effect | FixedEffect): string {
  switch (e.kind) {
    case 'ladder':
      return `Escalation ${signed(e.delta)}`;
    case 'measure':
      return `${seatName(scenario, e.seat)} · ${measureLabel(scenario, e.measure)} ${signed(e.delta)}`;
    case 'flag':
      return `${e.set ? 'Set' : 'Clear'} “${humanize(e.flag)}”`;
  }
}

/** Words the view carries for ids, when it has them: move titles and rule descriptions. */
export interface CauseNames {
  move?: (beat: string, seat: SeatId, move: string) => string | undefined;
  rule?: (rule: string) => string | undefined;
}

export function describeCause(scenario: ScenarioView, cause: ChangeView['cause'], names: CauseNames = {}): string {
  switch (cause.kind) {
    case 'move':
      return `${seatStartingSentence(scenario, cause.seat)} chose “${names.move?.(cause.beat, cause.seat, cause.move) ?? humanize(cause.move)}”`;
    case 'rule':
      return `Rule: ${names.rule?.(cause.rule) ?? humanize(cause.rule)}`;
    case 'draw':
      return `Draw: ${humanize(cause.draw)} → ${humanize(cause.option)} (roll ${formatRoll(cause.roll)})`;
    case 'inject':
      return `Inject: ${(scenario.injects ?? []).find((i) => i.id === cause.inject)?.title ?? humanize(cause.inject)}`;
    case 'override':
      return `White cell override: ${cause.reason}`;
    case 'undisclosed':
      return 'Undisclosed';
  }
}

export const PHASE_LABEL: Record<GameView['phase'], string> = {
  lobby: 'Lobby',
  briefing: 'Briefing',
  planning: 'Planning',
  adjudication: 'Adjudication',
  resolution: 'Resolution',
  outcome: 'Outcome',
  debrief: 'Debrief',
};

/** A draw's roll as people read it: whole numbers as they are, fractions to two places. */
export function formatRoll(roll: number): string {
  return Number.isInteger(roll) ? String(roll) : roll.toFixed(2);
}

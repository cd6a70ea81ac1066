import { moveEscalation } from '../analysis/escalation.ts';
import { withAlso } from '../scenario/also.ts';
import type { Actor, LogEntry } from '../game/commands.ts';
import { phaseOf, type GameState } from '../game/game.ts';
import type { Scenario } from '../scenario/schema.ts';
import { beatOpened } from './beat-timings.ts';

/**
 * One log event in words, seen from the states around it, as the white cell
 * knows it (moves and rationales included): the lines of `rubicon replay` and
 * the replay viewer's caption of the current event.
 */

const seatName = (scenario: Scenario, seat: string) => scenario.seats.find((s) => s.id === seat)?.name ?? seat;
const beatTitle = (scenario: Scenario, beat: string | null) => (beat ? (scenario.beats.find((b) => b.id === beat)?.title ?? beat) : '');
const moveTitle = (scenario: Scenario, move: string) =>
  scenario.beats.flatMap((b) => b.actors.flatMap((a) => a.moves)).find((m) => m.id === move)?.title ?? move;

export function actorName(scenario: Scenario, by: Actor): string {
  switch (by.kind) {
    case 'seat':
      return by.name ? `${seatName(scenario, by.seat)} · ${by.name}` : seatName(scenario, by.seat);
    case 'facilitator':
      return 'White cell';
    case 'observer':
      return 'Observer';
    case 'system':
      return 'Clock';
  }
}

/** What the event did to the flow of the game (a beat opening, planning closing, the outcome), or null. */
function flowText(scenario: Scenario, entry: LogEntry, before: GameState, after: GameState): string | null {
  const now = after.turn.context;
  if (now.outcome && !before.turn.context.outcome) {
    const o = scenario.outcomes.find((x) => x.id === now.outcome?.outcome);
    return `outcome: ${o?.title ?? now.outcome.outcome}${now.outcome.by === 'facilitator' ? ` (declared: ${now.outcome.reason ?? ''})` : ''}`;
  }
  if (beatOpened(entry, before, after)) return `beat ${now.beatIndex} opens: ${beatTitle(scenario, now.beat)}`;
  const was = phaseOf(before.turn);
  const is = phaseOf(after.turn);
  if (was === 'planning' && is !== 'planning') return 'planning closes';
  if (was !== is) return is;
  return null;
}

/** The resolution this event recorded, in one line: each choice with its escalation score. */
function resolutionText(scenario: Scenario, before: GameState, after: GameState): string | null {
  const r = after.turn.context.resolutions.at(-1);
  if (!r || after.turn.context.resolutions.length === before.turn.context.resolutions.length) return null;
  const choices = r.choices.map((c) => {
    const e = moveEscalation(scenario, c.move);
    return `${seatName(scenario, c.seat)}: ${moveTitle(scenario, c.move)}${c.defaulted ? ' (default)' : ''} [${e.category} ${e.score}]`;
  });
  const ladder = r.changes.filter((c) => c.target.kind === 'ladder');
  const rung = ladder.length ? `; ladder ${ladder[0]!.from} → ${ladder.at(-1)!.to}` : '';
  return `resolved ${beatTitle(scenario, r.beat)} — ${choices.join('; ')}${rung}`;
}

const oneLine = (text: string, max = 90) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The event itself: who asked for what. */
function commandText(scenario: Scenario, entry: LogEntry): string {
  const c = entry.command;
  switch (c.type) {
    case 'START':
      return 'starts the session';
    case 'ADVANCE':
      return 'moves on';
    case 'SUBMIT_MOVE':
      return `${c.lock ? 'locks in' : 'drafts'} “${withAlso(moveTitle(scenario, c.move), (c.also ?? []).map((m) => moveTitle(scenario, m)))}”${c.rationale ? ` — ${oneLine(c.rationale, 60)}` : ''}`;
    case 'ACCEPT_ADJUDICATION':
      return 'accepts the adjudication';
    case 'OVERRIDE_ADJUDICATION':
      return `overrides the adjudication: ${oneLine(c.reason, 60)}`;
    case 'PAUSE':
      return 'pauses';
    case 'RESUME':
      return 'resumes';
    case 'EXTEND_TIMER':
      return `adds ${c.seconds} s to the clock`;
    case 'FIRE_INJECT':
      return `fires the inject “${scenario.injects.find((i) => i.id === c.inject)?.title ?? c.inject}”`;
    case 'REWIND':
      return `rewinds to ${beatTitle(scenario, c.beat)}`;
    case 'END_GAME':
      return 'ends the game';
    case 'TIMER_EXPIRED':
      return 'time is up';
    case 'SET_SEAT_BOT':
      return c.bot ? `hands ${seatName(scenario, c.seat)} to the bot ${c.bot}` : `hands ${seatName(scenario, c.seat)} back to people`;
    case 'SEND_MESSAGE':
      return `writes in ${scenario.channels.find((ch) => ch.id === c.channel)?.title ?? c.channel}${c.to ? ` (to ${seatName(scenario, c.to)})` : ''}: ${oneLine(c.text)}`;
    case 'HIDE_MESSAGE':
      return c.from === 'none' ? `shows message ${c.message} again` : `hides message ${c.message} from ${c.from === 'display' ? 'the display' : 'everyone'}`;
    case 'SCORE_TEAM': {
      const criterion = scenario.rubric?.criteria.find((x) => x.id === c.criterion)?.title ?? c.criterion;
      return c.score === null ? `withdraws ${seatName(scenario, c.seat)}’s score on ${criterion}` : `scores ${seatName(scenario, c.seat)} ${c.score} on ${criterion}`;
    }
  }
}

export interface EventText {
  /** "White cell moves on → beat 2 opens: Iran decides", and so on. */
  text: string;
  /** Whether the game moved: a beat opened or closed, a resolution, the outcome. */
  milestone: boolean;
}

export function describeEvent(scenario: Scenario, entry: LogEntry, before: GameState, after: GameState): EventText {
  const parts = [`${actorName(scenario, entry.by)} ${commandText(scenario, entry)}`];
  const resolved = resolutionText(scenario, before, after);
  const flow = flowText(scenario, entry, before, after);
  // Planning closes before the beat is resolved; a beat opens or the game ends after it.
  const flowFirst = flow === 'planning closes';
  if (flow && flowFirst) parts.push(flow);
  if (resolved) parts.push(resolved);
  if (flow && !flowFirst) parts.push(flow);
  return { text: parts.join(' → '), milestone: resolved !== null || flow !== null };
}

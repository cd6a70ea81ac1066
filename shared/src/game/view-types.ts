import type { Channel, MapMark, SeatId } from '../scenario/schema.ts';
import type { ScenarioMap } from '../scenario/map.ts';
import type { CountedRelay, Submission, Proposal } from './adjudication.ts';
import type { Cause, Change } from './world.ts';
import type { Intervention, Phase } from './game.ts';
import type { Viewer } from './channel-policy.ts';
import type { TeachingView } from './teaching-view.ts';
import type { RubricView } from './rubric-scores.ts';

/**
 * What one viewer may see of a session. The server sends only this, so a
 * secret (another seat's pending move, a private briefing, a hidden choice)
 * never reaches a socket that may not read it.
 */
export interface GameView {
  /** Where this viewer's own stream of updates stands (viewer-stream.ts): never a count of others' events. */
  version: number;
  /**
   * Game commands this viewer can see applied so far (other seats' drafts left out): send it as
   * `expectedGameVersion` with a game command made on this view.
   */
  gameVersion: number;
  viewer: Viewer;
  phase: Phase;
  paused: boolean;
  scenario: ScenarioView;
  beat: BeatView | null;
  /** This seat's private briefing for the current beat. */
  briefing: string | null;
  /** This seat's move menu for the current beat, when it acts. */
  menu: MenuView | null;
  mySubmission: Submission | null;
  /** Facilitator only: every seat's current submission. */
  submissions: Record<SeatId, Submission & { title: string }> | null;
  /** Facilitator only: each acting seat's submission beside the default it gets if it does not decide. */
  decisions: SeatDecisionView[] | null;
  /** Facilitator only: the rule engine's proposal awaiting review. */
  proposal: ProposalView | null;
  timer: { deadline: number | null; remainingMs: number | null; setAtVersion: number } | null;
  world: { ladder: number; measures: Record<SeatId, Record<string, number>>; flags: string[] | null };
  resolutions: ResolutionView[];
  ledger: ChangeView[];
  injects: { inject: string; title: string; text: string; version: number; at: number }[];
  outcome: OutcomeView | null;
  channels: ChannelView[];
  /** Seats played by a bot. Which persona only for the facilitator (and after the outcome): it is a team's strategy. */
  bots: { seat: SeatId; bot: string | null }[];
  /** The white cell's pauses, extensions and rewinds, oldest first: every viewer may know them. */
  interventions: Intervention[];
  /** Objectives, role profile, memo prompt, facilitator notes and the debrief (teaching-view.ts). */
  teaching: TeachingView | null;
  /** Facilitator only: the rubric and the scores given so far (rubric-scores.ts). */
  rubric: RubricView | null;
}

export interface ScenarioView {
  id: string;
  version: number;
  title: string;
  summary: string;
  openingBriefing: string;
  /** `inSentence`: the name as a sentence embeds it (the scenario's `inSentence`, else the name). */
  seats: { id: SeatId; name: string; inSentence: string; short: string; color: string; description: string; optional: boolean; inPlay: boolean }[];
  measures: { id: string; label: string; description: string; min: number; max: number }[];
  rungs: { level: number; name: string; description: string }[];
  /** Every beat, with the marks it opens with (so a late-joining display can draw past beats). */
  beats: { id: string; title: string; date: string; marks: MapMark[] }[];
  outcomes: { id: string; title: string }[];
  /** Facilitator only. */
  injects: { id: string; title: string; text: string }[];
  /** Places, frame and labels for the projector map. */
  map: ScenarioMap;
}

export interface BeatView {
  id: string;
  title: string;
  date: string;
  situation: string;
  index: number;
  actingSeats: SeatId[];
  /** Who has locked in (never what). */
  lockedIn: SeatId[];
  /** Who has a draft or a locked move (never what). */
  submitted: SeatId[];
  marks: MapMark[];
}

export interface MenuView {
  prompt: string;
  /** `also`: the move may be taken beside another main move, as one of at most `maxAlso`. */
  moves: { id: string; title: string; description: string; also: boolean }[];
  defaultMove: string;
  maxAlso: number;
}

/** The white cell's picture of one acting seat in the current beat: what it has sent, and what it gets if it sends nothing. */
export interface SeatDecisionView {
  seat: SeatId;
  /** The move the seat gets if it does not decide: the scenario's plausible do-nothing choice. */
  defaultMove: { id: string; title: string };
  submission: (Submission & { title: string; alsoTitles: string[] }) | null;
}

export type ProposalView = Omit<Proposal, 'choices'> & {
  choices: (Proposal['choices'][number] & { title: string; alsoTitles: string[] })[];
  /** What each of the beat's rules is, in words, so a cause reads as text rather than an id. */
  ruleText: Record<string, string>;
};

export interface ResolutionView {
  beat: string;
  title: string;
  date: string;
  beatIndex: number;
  /** `also`: the moves taken beside the main one that this viewer may see. */
  choices: { seat: SeatId; move: string; title: string; also: { move: string; title: string }[]; rationale: string | null; defaulted: boolean }[];
  draws: { draw: string; title: string; option: string; label: string; roll: number }[];
  narrative: { text: string; marks: MapMark[] }[];
  changes: ChangeView[];
  /** The rules these changes cite, in words (a cause reads as text rather than an id). */
  ruleText: Record<string, string>;
  override: { reason: string } | null;
  /**
   * The beat's relays in mediated channels and what each counted for: all of
   * them for the white cell; for a seat, those it passed on or received (a
   * private channel's traffic reaches only the seats it reached).
   */
  relays: CountedRelay[];
  version: number;
  at: number;
}

export type ChangeView = Omit<Change, 'cause'> & { cause: Cause | { kind: 'undisclosed' } };

export interface OutcomeView {
  outcome: string;
  title: string;
  description: string;
  by: 'rules' | 'facilitator';
  reason: string | null;
  path: { id: string; title: string }[];
  historical: {
    outcome: string;
    title: string;
    /** Every historical move: each seat's main move and what else it did, beat by beat. */
    path: { beat: string; seat: SeatId; move: string; title: string; also: { move: string; title: string }[] }[];
    /** What each draw came up as in history. */
    draws: { beat: string; draw: string; title: string; option: string; label: string }[];
  };
}

export interface ChannelView {
  id: string;
  kind: Channel['kind'];
  title: string;
  members: SeatId[];
  relay: SeatId | null;
  open: boolean;
  canWrite: boolean;
}

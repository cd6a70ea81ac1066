import { z } from 'zod';
import { SeatId, Slug } from '../scenario/schema.ts';

/**
 * Commands are what clients ask for; once accepted they become log entries.
 * The schemas here are the single definition used by the server to validate
 * the wire, by the machine's types and by the log format.
 */

import { MAX_ALSO, MAX_DISPLAY_NAME, MAX_MESSAGE, MAX_RATIONALE, MAX_REASON } from '../limits.ts';

const FixedEffect = z.union([
  z.object({ kind: z.literal('ladder'), delta: z.number().int().min(-10).max(10) }).strict(),
  z
    .object({
      kind: z.literal('measure'),
      seat: SeatId,
      measure: Slug,
      delta: z.number().int().min(-100000).max(100000),
    })
    .strict(),
  z.object({ kind: z.literal('flag'), flag: Slug, set: z.boolean() }).strict(),
]);
/** Effects a facilitator may write in an override: unconditional, bounded. */
export type FixedEffect = z.infer<typeof FixedEffect>;

export const GameCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('START') }).strict(),
  z.object({ type: z.literal('ADVANCE') }).strict(),
  z
    .object({
      type: z.literal('SUBMIT_MOVE'),
      move: Slug,
      /** Moves of the menu marked `also`, taken beside the main move; left out means none. */
      also: z.array(Slug).max(MAX_ALSO).optional(),
      rationale: z.string().max(MAX_RATIONALE),
      lock: z.boolean(),
    })
    .strict(),
  z.object({ type: z.literal('ACCEPT_ADJUDICATION') }).strict(),
  z
    .object({
      type: z.literal('OVERRIDE_ADJUDICATION'),
      changes: z.array(FixedEffect).max(50),
      reason: z.string().trim().min(1).max(MAX_REASON),
    })
    .strict(),
  z.object({ type: z.literal('PAUSE') }).strict(),
  z.object({ type: z.literal('RESUME') }).strict(),
  z.object({ type: z.literal('EXTEND_TIMER'), seconds: z.number().int().min(1).max(3600) }).strict(),
  z.object({ type: z.literal('FIRE_INJECT'), inject: Slug }).strict(),
  z.object({ type: z.literal('REWIND'), beat: Slug }).strict(),
  z
    .object({ type: z.literal('END_GAME'), outcome: Slug, reason: z.string().trim().min(1).max(MAX_REASON) })
    .strict(),
  z.object({ type: z.literal('TIMER_EXPIRED'), timerVersion: z.number().int().min(0) }).strict(),
  /** Hands a seat to a bot playing `bot` (a persona id, or "llm"), or back to humans with null. */
  z.object({ type: z.literal('SET_SEAT_BOT'), seat: SeatId, bot: Slug.nullable() }).strict(),
]);
export type GameCommand = z.infer<typeof GameCommand>;

export const SendMessage = z
  .object({
    type: z.literal('SEND_MESSAGE'),
    channel: Slug,
    text: z.string().trim().min(1).max(MAX_MESSAGE),
    /** In a mediated channel, the relay seat may address one principal only. */
    to: SeatId.optional(),
    /** The message being passed on, when the relay seat relays. */
    relayOf: z.string().max(64).optional(),
    /**
     * A seat's note that only the white cell reads, filed in the seat's team
     * channel: how a machine player reports that it fell back to its default.
     */
    toWhiteCell: z.literal(true).optional(),
  })
  .strict();
export type SendMessage = z.infer<typeof SendMessage>;

/**
 * The white cell's moderation: hides a message from the shared display (and
 * other observers) or from everyone but the white cell; `none` shows it again.
 * Logged like any command, so a replay hides the same messages.
 */
export const HideMessage = z
  .object({
    type: z.literal('HIDE_MESSAGE'),
    message: z.string().min(1).max(64),
    from: z.enum(['display', 'everyone', 'none']),
  })
  .strict();
export type HideMessage = z.infer<typeof HideMessage>;

/**
 * The white cell scores a team on one rubric criterion (the scenario's
 * `rubric:`); `score: null` withdraws the score. Any time from the briefing
 * on, the outcome and the debrief included. See game/rubric-scores.ts.
 */
export const ScoreTeam = z
  .object({
    type: z.literal('SCORE_TEAM'),
    seat: SeatId,
    criterion: Slug,
    score: z.number().int().min(0).max(100).nullable(),
    note: z.string().trim().max(MAX_REASON).optional(),
  })
  .strict();
export type ScoreTeam = z.infer<typeof ScoreTeam>;

// One discriminated union, not a union of four: a plain union tries each member in
// turn, so every SEND_MESSAGE first failed GameCommand and built its issues.
export const Command = z.discriminatedUnion('type', [GameCommand, SendMessage, HideMessage, ScoreTeam]);
export type Command = z.infer<typeof Command>;
export type CommandType = Command['type'];

/** A person's name inside a seat: optional, short, one line. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_DISPLAY_NAME)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');

/** Who issued a command. Set by the server from the connection's token, never by the client. */
export const Actor = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('seat'),
      seat: SeatId,
      /** The person at the seat's device, as they gave it on joining; shown beside the seat ("Iran · Sara"). */
      name: DisplayName.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('facilitator') }).strict(),
  z.object({ kind: z.literal('observer') }).strict(),
  z.object({ kind: z.literal('system') }).strict(),
]);
export type Actor = z.infer<typeof Actor>;

/** One accepted event of the append-only log. `seq` is the state version it produces. */
export const LogEntry = z
  .object({
    seq: z.number().int().min(1),
    at: z.number().int().min(0),
    by: Actor,
    commandId: z.string().min(1).max(64),
    command: Command,
  })
  .strict();
export type LogEntry = z.infer<typeof LogEntry>;

export const FACILITATOR_COMMANDS = [
  'START',
  'ADVANCE',
  'ACCEPT_ADJUDICATION',
  'OVERRIDE_ADJUDICATION',
  'PAUSE',
  'RESUME',
  'EXTEND_TIMER',
  'FIRE_INJECT',
  'REWIND',
  'END_GAME',
  'SET_SEAT_BOT',
  'HIDE_MESSAGE',
  'SCORE_TEAM',
] as const satisfies readonly CommandType[];
export const SEAT_COMMANDS = ['SUBMIT_MOVE'] as const satisfies readonly CommandType[];
export const SYSTEM_COMMANDS = ['TIMER_EXPIRED'] as const satisfies readonly CommandType[];

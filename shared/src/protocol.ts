import { z } from 'zod';
import { isMessageSide } from './message-side.ts';
import type { ErrorCode } from './errors.ts';
import { Command, DisplayName } from './game/commands.ts';
import { GameSetup } from './game/game.ts';
import { SeatId, Slug } from './scenario/schema.ts';
import type { GameView } from './game/view.ts';
import type { SessionEstimate } from './game/session-length.ts';
import type { Message, Viewer } from './game/channel-policy.ts';
import type { WireMessage } from './game/viewer-stream.ts';
import type { WireView } from './wire-view.ts';

/**
 * The wire protocol between browser (or bot) and server. Socket.IO events are
 * typed by the maps below; every client→server event carries a payload that
 * the server validates with the schema of the same name and an
 * acknowledgement callback that receives an `Ack`. See docs/protocol.md.
 */

export const PROTOCOL_VERSION = 1;

/** A client-chosen id, unique per command, so that a retry is applied once. */
export const CommandId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/);

// ---- REST ---------------------------------------------------------------

export const CreateSessionRequest = GameSetup.omit({ seed: true, scenarioId: true }).extend({
  scenarioId: Slug,
  /** Omit for a random seed chosen by the server (recorded, so replays still match). */
  seed: z.union([z.string().min(1).max(128), z.number().int()]).optional(),
  title: z.string().trim().min(1).max(120).optional(),
  /** At most this many people may redeem one seat's code (each re-issue starts a new count); omit for no cap. */
  maxPlayersPerSeat: z.number().int().min(1).max(100).optional(),
  // Each seat once: a repeat was stored as sent, in the setup of every export and snapshot (a body's worth of
  // "eu" at most). Only a new session's request is held to it; a session file's setup stays as it was hashed.
  optionalSeats: GameSetup.shape.optionalSeats.refine((seats) => new Set(seats).size === seats.length, 'name each optional seat once'),
});
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;

/** A code people type or scan to join: one per seat in play and one for observers (the co-facilitator code is apart). */
export interface JoinCode {
  role: Viewer;
  code: string;
}

export interface CreateSessionResponse {
  sessionId: string;
  facilitatorToken: string;
  /** The seats' and the observers' codes, fit to hand out or project. */
  codes: JoinCode[];
  /** Opens the facilitator console on another device (a co-facilitator). Never project it. Null for a replay, which has no codes. */
  facilitatorCode: string | null;
}

/**
 * One revocable secret of a session and its current issue. `key` is a seat
 * id, `observer` or `facilitator` (the co-facilitator code), or `owner` (the
 * creator's token, which has no code). Revoking bumps `generation`: the old
 * code stops redeeming and every token redeemed from it stops working,
 * sockets included.
 */
export interface AccessCode {
  key: string;
  role: Viewer;
  /** Null while revoked and not re-issued, and always for `owner`. */
  code: string | null;
  generation: number;
  /** Only in the answer to re-issuing `owner`: the creator's new token (the old one no longer works). */
  token?: string;
}

export const AccessAction = z.enum(['revoke', 'reissue']);
export type AccessAction = z.infer<typeof AccessAction>;

export const JoinRequest = z.object({ code: z.string().trim().min(4).max(16) }).strict();
export type JoinRequest = z.infer<typeof JoinRequest>;

export interface JoinResponse {
  sessionId: string;
  role: Viewer;
  token: string;
}

export interface SessionSummary {
  sessionId: string;
  title: string;
  scenarioId: string;
  /** The class-length preset the session was created with, if any. */
  preset: { id: string; title: string } | null;
  /** How long the session should run with its clock (session-length.ts). */
  estimate: SessionEstimate;
  createdAt: number;
  version: number;
  phase: GameView['phase'];
  /** The seats' and observers' codes that redeem now. */
  codes: JoinCode[];
  /** The co-facilitator code, or null while revoked (and always for a replay, which has no codes). */
  facilitatorCode: string | null;
  /** Every revocable code, revoked ones included. */
  access: AccessCode[];
  /** When the game reached its outcome (codes stop redeeming after a grace period, tokens later), or null. */
  endedAt: number | null;
  maxPlayersPerSeat: number | null;
  presence: Presence;
  /** A replay is read-only: it can be watched, reported on and branched from. */
  mode: 'live' | 'replay';
  /** The outcome's id, once reached. */
  outcome: string | null;
  /** For a branched session: where it branched from. */
  parent: { sessionId: string; title: string; version: number } | null;
}

/** Start a new live session from a session's (or a replay's) state at `version`. */
export const BranchRequest = z.object({ version: z.number().int().min(0), title: z.string().trim().min(1).max(120).optional() }).strict();
export type BranchRequest = z.infer<typeof BranchRequest>;

export interface HttpError {
  /** `where` and `seq` locate the problem in a refused session file. */
  error: { code: ErrorCode; message: string; where?: string; seq?: number };
}

// ---- Socket.IO ------------------------------------------------------------

export const HelloPayload = z
  .object({
    sessionId: z.string().min(1).max(64),
    token: z.string().min(16).max(128),
    /** The last version this client holds (its own stream's); omit on a first join. */
    lastVersion: z.number().int().min(0).optional(),
    /** How many messages it holds (the last one's `seq`): only those after it are sent again. Omit to get them all. */
    messagesHeld: z.number().int().min(0).optional(),
    /** A seat's person, e.g. "Sara": recorded with each command this socket sends. Ignored for other roles. */
    name: DisplayName.optional(),
  })
  .strict();
export type HelloPayload = z.infer<typeof HelloPayload>;

export const CommandPayload = z
  .object({
    commandId: CommandId,
    /**
     * The `gameVersion` of the view a game command was made on; refused as
     * `stale` if the game has moved since as its sender sees it (game.ts,
     * isStale). Messages commute with everything and need none (one sent is
     * ignored).
     */
    expectedGameVersion: z.number().int().min(0).optional(),
    command: Command,
  })
  .strict()
  .refine((p) => isMessageSide(p.command) || p.expectedGameVersion !== undefined, {
    message: 'A game command needs the expectedGameVersion of the view it was made on.',
    path: ['expectedGameVersion'],
  });
export type CommandPayload = z.infer<typeof CommandPayload>;

export const SyncPayload = z
  .object({
    sinceVersion: z.number().int().min(0),
    /** How many messages the client holds; omit to get them all. */
    messagesHeld: z.number().int().min(0).optional(),
  })
  .strict();
export type SyncPayload = z.infer<typeof SyncPayload>;

/** A refusal on the wire. `stale` carries the current game version and a fresh view. */
export interface WireError {
  code: ErrorCode;
  message: string;
  version?: number;
  gameVersion?: number;
  view?: WireView;
  /**
   * With `rate_limited`: wait this long before sending again (the command was not applied).
   * With `unavailable`: the server could not reach its store in time. Try
   * again after this many ms with the SAME commandId: the command may have
   * been applied, and the same id makes the retry answer with its version
   * instead of applying it twice.
   */
  retryAfterMs?: number;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: WireError };

/** What a client needs to (re)build its picture: a full view and the messages it lacks. */
export interface SyncData {
  /** Where this viewer's stream stands. */
  version: number;
  view: WireView;
  /**
   * The messages after the ones the client said it holds, and every message
   * the white cell ever hid or showed again (all of them when `full`).
   */
  messages: WireMessage[];
  /** True when `messages` holds every visible message, so the client may drop what it had. */
  full: boolean;
  /** How many messages this viewer may read in all: lets a client check it holds them all. */
  messageCount: number;
}

export interface HelloData extends SyncData {
  role: Viewer;
  sessionId: string;
}

export interface CommandResult {
  /** A version of the sender's own stream that includes the command (for a retry: the version now). */
  version: number;
  /** The sender's game version then: a game command's update has reached the sender once its view shows this. */
  gameVersion: number;
  duplicate: boolean;
}

/**
 * Sent after an accepted event to the sockets it shows something, and to no
 * other: each viewer's updates are numbered 1, 2, 3… in its own stream
 * (viewer-stream.ts), so a missing number is a missed update.
 */
export interface UpdatePayload {
  version: number;
  /** After a game command (or, for the facilitator, its own records); absent when only messages changed. */
  view?: WireView;
  /** New messages, or a message the white cell hid or showed again (replace the copy of the same id). */
  messages: WireMessage[];
}

export interface Presence {
  seats: Record<SeatId, number>;
  facilitators: number;
  observers: number;
}

export interface ClientToServerEvents {
  hello: (payload: HelloPayload, ack: (r: Ack<HelloData>) => void) => void;
  command: (payload: CommandPayload, ack: (r: Ack<CommandResult>) => void) => void;
  sync: (payload: SyncPayload, ack: (r: Ack<SyncData>) => void) => void;
}

export interface ServerToClientEvents {
  update: (payload: UpdatePayload) => void;
  presence: (payload: Presence) => void;
}

export type { Viewer, Message, GameView };
export { SeatId };

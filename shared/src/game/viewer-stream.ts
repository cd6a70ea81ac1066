import type { Channel, SeatId } from '../scenario/schema.ts';
import type { Command, LogEntry } from './commands.ts';
import { applyEntry, initialState, type Game, type GameState } from './game.ts';
import { viewerGameVersion } from './viewer-game-version.ts';
import { hiddenFrom, inAudience, messageAsSeenBy, messageVisibleTo, moderationsOf, type Message, type Viewer } from './channel-policy.ts';

/**
 * Each viewer's own stream of updates. A viewer is told of an event only if
 * it shows that viewer something: every game command it can see (every view
 * carries the viewer's game version, which a move must be made on), a message
 * it may read, and the white cell hiding or showing again such a message. A
 * seat's draft saved over its own draft is its own and the white cell's: the
 * others see nothing change (game.ts, privateGameEvent). Events it cannot see move
 * nothing of its own: not its update count (`version`), not the numbering of
 * its messages. So neither the numbers it holds nor when its frames arrive
 * say anything about channels it is not in.
 *
 * Any other event that leaves the game version alone (the white cell's own
 * records) is the facilitator's only, who sees every event: the facilitator's
 * stream is the log itself.
 *
 * A position is a pure function of the state (the facilitator's is the log's
 * version), so every process, and a process that loads a session afresh,
 * numbers each viewer's stream alike.
 */
export interface StreamPosition {
  /** Updates this viewer has had: the `version` its picture is at. */
  version: number;
  /** Messages it may read: the last one's number in its own stream. */
  messages: number;
}

/** What one applied log entry shows one viewer. */
export type StreamStep =
  | { kind: 'none' }
  /** Its view changed (a game command, or for the facilitator a record of its own). */
  | { kind: 'view' }
  /** A message it may read arrived (the log's copy). */
  | { kind: 'message'; message: Message }
  /** A message it reads was hidden or shown again (the log's copy, after the change). */
  | { kind: 'moderation'; message: Message };

/** How a relay names a message the reader cannot read itself. */
export const UNSEEN_MESSAGE = 'unseen';

const NONE: StreamStep = { kind: 'none' };
const VIEW: StreamStep = { kind: 'view' };

function channelLookup(game: Game): (id: string) => Channel | undefined {
  const channels = game.scenario.channels;
  return (id) => channels.find((c) => c.id === id);
}

/** Whether this viewer may read this message (its audience was fixed when it was sent). */
function reads(game: Game, viewer: Viewer, message: Message): boolean {
  if (viewer.kind === 'facilitator') return true;
  if (viewer.kind === 'seat') return inAudience(message, viewer.seat);
  return messageVisibleTo(viewer, message, channelLookup(game)(message.channel));
}

export function streamPosition(game: Game, state: GameState, viewer: Viewer): StreamPosition {
  if (viewer.kind === 'facilitator') return { version: state.version, messages: state.messages.length };
  let version = viewerGameVersion(state, viewer);
  let messages = 0;
  for (const m of state.messages) {
    if (!reads(game, viewer, m)) continue;
    messages++;
    version += 1 + moderationsOf(m);
  }
  return { version, messages };
}

const showsNone = (): StreamStep => NONE;
const showsView = (): StreamStep => VIEW;
const showsFacilitatorView = (viewer: Viewer): StreamStep => (viewer.kind === 'facilitator' ? VIEW : NONE);

/**
 * What `entry`, which took `before` to `after`, shows each viewer. Every
 * viewer the event shows its message gets the one step object made here:
 * an event is followed for all of a session's viewers, so a step per viewer
 * was an allocation per viewer and event.
 */
export function eventSteps(game: Game, before: GameState, after: GameState, entry: LogEntry): (viewer: Viewer) => StreamStep {
  const command = entry.command;
  if (command.type === 'SEND_MESSAGE' || command.type === 'HIDE_MESSAGE') {
    const message = command.type === 'SEND_MESSAGE' ? after.messages.at(-1) : after.messages.byId(command.message);
    if (!message) return showsNone;
    const step: StreamStep = command.type === 'SEND_MESSAGE' ? { kind: 'message', message } : { kind: 'moderation', message };
    return (viewer) => (reads(game, viewer, message) ? step : NONE);
  }
  if (after.gameVersion === before.gameVersion) return showsFacilitatorView;
  if (after.drafts.at.length === before.drafts.at.length) return showsView;
  const by = entry.by.kind === 'seat' ? entry.by.seat : null;
  return (viewer) => (viewer.kind === 'facilitator' || (viewer.kind === 'seat' && viewer.seat === by) ? VIEW : NONE);
}

/** What `entry`, which took `before` to `after`, shows `viewer`. */
export function streamStep(game: Game, before: GameState, after: GameState, entry: LogEntry, viewer: Viewer): StreamStep {
  return eventSteps(game, before, after, entry)(viewer);
}

/** How far a step moves a stream's version (its picture's updates). */
export function stepVersions(step: StreamStep): number {
  return step.kind === 'none' ? 0 : 1;
}

/** How far a step moves a stream's count of messages it may read. */
export function stepMessages(step: StreamStep): number {
  return step.kind === 'message' ? 1 : 0;
}

/** The position after a step. */
export function advance(position: StreamPosition, step: StreamStep): StreamPosition {
  if (step.kind === 'none') return position;
  return { version: position.version + stepVersions(step), messages: position.messages + stepMessages(step) };
}

/** A message's id on the wire: its number among the messages this viewer may read. */
export function wireMessageId(n: number): string {
  return `n${n}`;
}

function wireNumber(id: string): number | null {
  const match = /^n([1-9][0-9]{0,9})$/.exec(id);
  return match ? Number(match[1]) : null;
}

/**
 * A message as a client receives it (wireMessage): numbered in the reader's
 * own stream, and with only what a reader needs. Nothing a reader can be told
 * is dropped: who else reads a message follows from its channel (and `to`),
 * and a field at its default is left out, as Socket.IO's bare room broadcast
 * of the same message would carry it. `to` and `relayOf` may also come as
 * null (a log's own messages, in the replay viewer), which means the same as
 * absent.
 */
export interface WireMessage {
  id: string;
  seq: number;
  at: number;
  channel: string;
  /** A seat id, or null for the white cell. */
  from: SeatId | null;
  fromName?: string;
  text: string;
  /** Addressed to this seat alone (a relay writing to one principal); absent: everyone the channel reaches. */
  to?: SeatId | null;
  /** The message this one relays, in the reader's own numbering, or `UNSEEN_MESSAGE`; absent when it relays nothing. */
  relayOf?: string | null;
  toWhiteCell?: true;
  hidden?: 'display' | 'everyone';
}

/**
 * A message as it goes to one viewer: numbered in that viewer's own stream
 * (`id` and `seq`), naming what it relays in the same numbering (or
 * `UNSEEN_MESSAGE`), and without the log's own positions, its audience or
 * the fields at their defaults. Optional keys are added after the literal in
 * one order, not spread in (a spread of `{}` or a one-key object per field
 * was an object per field and message).
 */
export function wireMessage(viewer: Viewer, message: Message, n: number, relayed: number | null): WireMessage {
  const seen = messageAsSeenBy(viewer, message);
  const out: WireMessage = { id: wireMessageId(n), seq: n, at: seen.at, channel: seen.channel, from: seen.from, text: seen.text };
  if (seen.fromName !== undefined) out.fromName = seen.fromName;
  if (seen.to !== null) out.to = seen.to;
  if (seen.relayOf !== null) out.relayOf = relayed === null ? UNSEEN_MESSAGE : wireMessageId(relayed);
  if (seen.toWhiteCell) out.toWhiteCell = true;
  if (seen.hidden !== undefined) out.hidden = seen.hidden;
  return out;
}

/**
 * The numbers, in this viewer's stream, of the messages with these log ids
 * (those it may read), in one pass over the log.
 */
export function messageNumbers(game: Game, state: GameState, viewer: Viewer, ids: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  let n = 0;
  for (const m of state.messages) {
    if (!reads(game, viewer, m)) continue;
    n++;
    if (ids.has(m.id)) {
      out.set(m.id, n);
      if (out.size === ids.size) break;
    }
  }
  return out;
}

/**
 * What, besides the message and its number in the viewer's stream, one
 * viewer's copy of it (wireMessage) depends on: viewers with the same number
 * and the same variant get identical copies, so an update can be built once
 * for all of them. `null` for a relay, whose copy names the relayed message
 * in each reader's own numbering.
 */
export function wireMessageVariant(viewer: Viewer, message: Message): 'hidden' | 'shown' | null {
  if (message.relayOf !== null) return null;
  return hiddenFrom(viewer, message) ? 'hidden' : 'shown';
}

/** One message for one viewer, numbered in its stream (for an update). */
export function wireMessageFor(game: Game, state: GameState, viewer: Viewer, message: Message, n?: number): WireMessage {
  // Numbered already and relaying nothing (every new message but a relay): nothing to look up.
  if (n !== undefined && message.relayOf === null) return wireMessage(viewer, message, n, null);
  const wanted = new Set<string>(message.relayOf === null ? [] : [message.relayOf]);
  if (n === undefined) wanted.add(message.id);
  const numbers = wanted.size > 0 ? messageNumbers(game, state, viewer, wanted) : new Map<string, number>();
  const own = n ?? numbers.get(message.id) ?? 0;
  return wireMessage(viewer, message, own, message.relayOf === null ? null : (numbers.get(message.relayOf) ?? null));
}

/**
 * What a client needs of the messages it may read: those after the first
 * `held` (its own numbering), and every one the white cell ever hid or showed
 * again (they may have changed since the client's copy); `count` is how many
 * it may read in all.
 */
export function wireMessagesFor(game: Game, state: GameState, viewer: Viewer, held = 0): { messages: WireMessage[]; count: number } {
  const numbers = new Map<string, number>();
  const messages: WireMessage[] = [];
  let n = 0;
  for (const m of state.messages) {
    if (!reads(game, viewer, m)) continue;
    n++;
    numbers.set(m.id, n);
    if (n > held || moderationsOf(m) > 0) messages.push(wireMessage(viewer, m, n, m.relayOf === null ? null : (numbers.get(m.relayOf) ?? null)));
  }
  return { messages, count: n };
}

/** The message a viewer names by its wire id, if it may read it. */
export function messageByWireId(game: Game, state: GameState, viewer: Viewer, id: string): Message | undefined {
  const n = wireNumber(id);
  if (n === null) return undefined;
  if (viewer.kind === 'facilitator') return state.messages.at(n - 1);
  let k = 0;
  for (const m of state.messages) {
    if (!reads(game, viewer, m)) continue;
    if (++k === n) return m;
  }
  return undefined;
}

/**
 * A command as the engine takes it: the message ids a client sent in its own
 * numbering turned into the log's. `null` when one names no message this
 * viewer may read (the caller refuses it as `invalid`).
 */
export function commandFromWire(game: Game, state: GameState, viewer: Viewer, command: Command): Command | null {
  if (command.type === 'SEND_MESSAGE' && command.relayOf !== undefined) {
    const original = messageByWireId(game, state, viewer, command.relayOf);
    return original ? { ...command, relayOf: original.id } : null;
  }
  if (command.type === 'HIDE_MESSAGE') {
    const target = messageByWireId(game, state, viewer, command.message);
    return target ? { ...command, message: target.id } : null;
  }
  return command;
}

/**
 * For each command a seat sent in `log`, the version of that seat's own
 * stream right after it: what its acknowledgement may say at the least.
 * Checks acknowledgements against an exported log.
 */
export function senderStreamVersions(game: Game, log: readonly LogEntry[]): Map<string, number> {
  const positions = new Map<string, StreamPosition>(game.scenario.seats.map((s) => [s.id, { version: 0, messages: 0 }]));
  const out = new Map<string, number>();
  let state = initialState(game);
  for (const entry of log) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`log entry ${entry.seq} does not apply: ${r.refusal.message}`);
    for (const [seat, p] of positions) positions.set(seat, advance(p, streamStep(game, state, r.state, entry, { kind: 'seat', seat })));
    if (entry.by.kind === 'seat') out.set(entry.commandId, positions.get(entry.by.seat)?.version ?? 0);
    state = r.state;
  }
  return out;
}

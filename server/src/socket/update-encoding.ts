import { createRequire } from 'node:module';
import type * as SocketIoParser from 'socket.io-parser';
import type { Packet } from 'socket.io-parser';
import type { Game, UpdatePayload } from '@rubicon/shared';
import { sessionRoom } from '../session/rooms.ts';
import type { RoomUpdate } from '../session/broadcast.ts';
import type { RubiconServer } from './types.ts';
import { CommandAnswer } from './command-answer.ts';

type Adapter = ReturnType<RubiconServer['of']>['adapter'];
type BroadcastOptions = Parameters<Adapter['broadcast']>[1];
/** Where a broadcast goes (localTarget). */
export type BroadcastTarget = BroadcastOptions;

// Socket.IO loads the parser's CommonJS build; an ESM import would load a second copy (for Node, its debug build).
const parser = createRequire(import.meta.url)('socket.io-parser') as typeof SocketIoParser;
const { Decoder, Encoder, PacketType } = parser;

/**
 * JSON text that goes into a Socket.IO packet as it is: an event argument
 * already encoded. Only for packets that stay on this process (`io.local`):
 * the Redis adapter would serialise the wrapper, not the text.
 */
export class EncodedJson {
  constructor(readonly json: string) {}
}

function hasEncoded(data: readonly unknown[]): boolean {
  for (const d of data) if (d instanceof EncodedJson) return true;
  return false;
}

/** A text packet's type, namespace and id, as the default encoder writes them before the data. */
function packetHead(type: number, packet: Packet): string {
  let out = String(type);
  if (packet.nsp && packet.nsp !== '/') out += `${packet.nsp},`;
  if (packet.id !== undefined && packet.id !== null) out += String(packet.id);
  return out;
}

/** What the default encoder writes for an `update` event to the main namespace without an id, up to its payload. */
const UPDATE_HEAD = '2["update",';

/** An `update` event with a payload, to the main namespace and asking for no acknowledgement: one UPDATE_HEAD fits. */
function isPlainUpdate(packet: Packet, data: readonly unknown[]): boolean {
  return data.length > 1 && data[0] === 'update' && (!packet.nsp || packet.nsp === '/') && (packet.id === undefined || packet.id === null);
}

/**
 * Socket.IO's packet encoder, except that an event argument already encoded
 * (EncodedJson) is spliced in as it is. The bytes on the wire are those the
 * default encoder writes for the same value, so clients decode it as usual.
 */
class SpliceEncoder extends Encoder {
  override encode(packet: Packet): unknown[] {
    const data: unknown = packet.data;
    if (packet.type === PacketType.ACK) return [ackText(packet)];
    if (packet.type !== PacketType.EVENT || !Array.isArray(data) || !hasEncoded(data)) return super.encode(packet);
    // An update to the main namespace (every broadcast of the log follower) starts with text written once; the
    // loop wrote it anew per packet, the event's name through JSON.stringify, in four short strings.
    const first = isPlainUpdate(packet, data) ? 1 : 0;
    let out = first === 1 ? UPDATE_HEAD : `${packetHead(PacketType.EVENT, packet)}[`;
    // Concatenated, not joined: V8 keeps the parts linked until the frame is written, where a join copied the
    // update's whole text once more for every packet. Plain loops: no closure per packet (every ack comes here).
    for (let i = first; i < data.length; i++) {
      const d: unknown = data[i];
      if (i > first) out += ',';
      out += d instanceof EncodedJson ? d.json : (JSON.stringify(d) ?? 'null');
    }
    return [`${out}]`];
  }
}

/**
 * An acknowledgement as the default encoder writes it (`encodeAsString`), without its search of the whole
 * answer for binary data first (`hasBinary`, a walk of every object in it, a hello's whole view included):
 * the server's acknowledgements are `Ack` values (ack-handler.ts), JSON by their type, never binary.
 */
function ackText(packet: Packet): string {
  const out = packetHead(PacketType.ACK, packet);
  const data: unknown = packet.data;
  const answer = Array.isArray(data) && data.length === 1 ? commandAnswerOf(data[0]) : null;
  // A command's answer, the acknowledgement of every message: its JSON written without JSON.stringify's walk.
  if (answer) return answer.ackJson(out);
  return data !== undefined && data !== null ? out + JSON.stringify(data) : out;
}

/**
 * The CommandAnswer of an accepted command's `Ack` (`{ ok: true, data }`, as ack-handler.ts's `finish` builds it:
 * those two keys in that order, which update-encoding.test.ts pins through the handler), or null for any other.
 */
function commandAnswerOf(ack: unknown): CommandAnswer | null {
  if (typeof ack !== 'object' || ack === null) return null;
  const { ok, data } = ack as { ok?: unknown; data?: unknown };
  return ok === true && data instanceof CommandAnswer ? data : null;
}

/** The `parser` option of the Socket.IO server: the default parser with the splicing encoder. */
export const spliceParser = { Encoder: SpliceEncoder, Decoder };

/**
 * One event's updates as JSON, with the rooms each goes to. Rooms whose
 * update comes out byte for byte the same (viewers whose streams stand at
 * the same place and who see the message alike, as all of a table's seats
 * and its observers do until someone talks privately) share one entry, so
 * one packet is encoded and framed for all of them, as for a plain room
 * broadcast. A room only ever gets the bytes computed for its own viewer.
 */
export function encodedUpdates(updates: readonly RoomUpdate[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const first = updates[0];
  if (!first) return out;
  // Most events have one payload for every room (a public message at a table with no private talk): then one
  // text and a room list of the right length, without the lists below.
  if (updates.every(samePayloadAs, first)) {
    out.set(JSON.stringify(first.payload), updates.map(roomOf));
    return out;
  }
  // A payload object shared by several rooms (eventUpdates) is encoded once: a short list searched by identity
  // (an event has a handful of distinct payloads), no Map keyed by objects per event.
  const payloads: UpdatePayload[] = [];
  const texts: string[] = [];
  for (const { room, payload } of updates) {
    const i = payloads.indexOf(payload);
    let text = texts[i];
    if (i < 0 || text === undefined) {
      text = JSON.stringify(payload);
      payloads.push(payload);
      texts.push(text);
    }
    const rooms = out.get(text);
    if (rooms) rooms.push(room);
    else out.set(text, [room]);
  }
  return out;
}

function samePayloadAs(this: RoomUpdate, u: RoomUpdate): boolean {
  return u.payload === this.payload;
}

const roomOf = (u: RoomUpdate): string => u.room;

/** Only this process's sockets; no exclusions. Shared by every send: the adapters read these, never write them. */
const LOCAL: BroadcastOptions['flags'] = { local: true };
const NO_ROOMS: Set<string> = new Set();

/**
 * Sends one pre-encoded update to this process's sockets in `rooms`: what
 * `io.local.to(rooms).emit('update', …)` does, handed to the namespace's
 * adapter directly. The chain of broadcast operators that call builds (three
 * operators, their room sets and flags, for every send, two sends per public
 * message) came to about a tenth of what the log follower allocated.
 */
export function sendUpdate(adapter: Adapter, rooms: readonly string[], json: string): void {
  sendUpdateTo(adapter, localTarget(rooms), json);
}

/**
 * A broadcast's target (rooms, no exclusions, this process only) made once and reused for every send to those
 * rooms: the adapters read a target, never write it (socket.io-adapter's `apply` iterates `rooms`).
 */
export function localTarget(rooms: readonly string[]): BroadcastOptions {
  return { rooms: new Set(rooms), except: NO_ROOMS, flags: LOCAL };
}

/**
 * Each session's room (rooms.ts, sessionRoom) as a broadcast target, made once per loaded session (its Game,
 * as viewerRooms caches its rooms), not for every public message: the room's name, a list and a Set each time.
 */
export function sessionTargets(): (sessionId: string, game: Game) => BroadcastTarget {
  const targets = new WeakMap<Game, { sessionId: string; target: BroadcastTarget }>();
  return (sessionId, game) => {
    const cached = targets.get(game);
    if (cached?.sessionId === sessionId) return cached.target;
    const target = localTarget([sessionRoom(sessionId)]);
    targets.set(game, { sessionId, target });
    return target;
  };
}

/** sendUpdate to a target made once (localTarget, sessionTargets). */
export function sendUpdateTo(adapter: Adapter, target: BroadcastOptions, json: string): void {
  const packet: Packet = { type: PacketType.EVENT, data: ['update', new EncodedJson(json)], nsp: '/' };
  void adapter.broadcast(packet, target);
}

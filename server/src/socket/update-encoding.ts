import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import type { Message, UpdatePayload } from '@rubicon/shared';
import type { RoomUpdate } from '../session/broadcast.ts';

/**
 * JSON text that goes into a Socket.IO packet as it is: an event argument
 * already encoded. Only for packets that stay on this process (`io.local`):
 * the Redis adapter would serialise the wrapper, not the text.
 */
export class EncodedJson {
  constructor(readonly json: string) {}
}

/**
 * Socket.IO's packet encoder, except that an event argument already encoded
 * (EncodedJson) is spliced in as it is. The bytes on the wire are those the
 * default encoder writes for the same value, so clients decode it as usual.
 */
class SpliceEncoder extends Encoder {
  override encode(packet: Packet): unknown[] {
    const data: unknown = packet.data;
    if (packet.type !== PacketType.EVENT || !Array.isArray(data) || !data.some((d) => d instanceof EncodedJson)) return super.encode(packet);
    let out = String(PacketType.EVENT);
    if (packet.nsp && packet.nsp !== '/') out += `${packet.nsp},`;
    if (packet.id !== undefined && packet.id !== null) out += String(packet.id);
    const args = data.map((d: unknown) => (d instanceof EncodedJson ? d.json : (JSON.stringify(d) ?? 'null')));
    return [`${out}[${args.join(',')}]`];
  }
}

/** The `parser` option of the Socket.IO server: the default parser with the splicing encoder. */
export const spliceParser = { Encoder: SpliceEncoder, Decoder };

function sameFields(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The JSON of one event's updates. A message reaches each of its readers
 * numbered in that reader's own stream (`version`, its `id` and `seq`), but
 * the rest of it is most often the same for all of them: that part is
 * encoded once and shared, instead of once per viewer. Sharing needs every
 * field to be the very same value (same array, same string), so a reader
 * who sees the message otherwise (hidden text, a relay numbered
 * differently) gets its own encoding. The text is byte for byte what
 * JSON.stringify gives for the same payload. One instance per event: what
 * it remembers is that event's messages.
 */
export class UpdateJson {
  private readonly bodies: { body: Readonly<Record<string, unknown>>; json: string }[] = [];

  encode(payload: UpdatePayload): string {
    const message = payload.messages[0];
    if (payload.view !== undefined || payload.messages.length !== 1 || !message) return JSON.stringify(payload);
    const { id, seq, ...body } = message;
    const rest = this.bodyJson(body);
    // JSON.stringify({ version, messages: [{ id, seq, ...body }] }), with the body's encoding shared.
    return `{"version":${JSON.stringify(payload.version)},"messages":[{"id":${JSON.stringify(id)},"seq":${JSON.stringify(seq)}${rest.length > 2 ? `,${rest.slice(1)}` : '}'}]}`;
  }

  private bodyJson(body: Omit<Message, 'id' | 'seq'>): string {
    for (const known of this.bodies) if (sameFields(known.body, body)) return known.json;
    const json = JSON.stringify(body);
    this.bodies.push({ body, json });
    return json;
  }
}

/**
 * One event's updates as JSON, with the rooms each goes to. Rooms whose
 * update comes out byte for byte the same (viewers whose streams stand at
 * the same place and who see the message alike, as all of a table's seats
 * and its observers do until someone talks privately) share one entry, so
 * one packet is encoded and framed for all of them, as for a plain room
 * broadcast. A room only ever gets the bytes computed for its own viewer.
 */
export function encodedUpdates(updates: readonly RoomUpdate[]): Map<string, string[]> {
  const json = new UpdateJson();
  const out = new Map<string, string[]>();
  for (const { room, payload } of updates) {
    const text = json.encode(payload);
    const rooms = out.get(text);
    if (rooms) rooms.push(room);
    else out.set(text, [room]);
  }
  return out;
}

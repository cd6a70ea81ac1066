import type { WireMessage } from '@rubicon/shared';

/**
 * Exact unread counts. A message is unread when it is in a channel, was not
 * written by the reader, and has not been on screen while that channel was
 * open. Seen messages are remembered by `seq` (unique per session), not by a
 * high-water mark, so a message that arrives late (after a gap is filled)
 * with a lower seq than ones already seen still counts as unread.
 */

/** channel id → the seqs seen in it. Treated as immutable. */
export type ReadState = Readonly<Record<string, ReadonlySet<number>>>;

/** Who is reading: a seat id, or null for the white cell (the facilitator writes as `from: null`). */
export type Reader = { self: string | null };

export function groupByChannel(messages: readonly WireMessage[]): ReadonlyMap<string, readonly WireMessage[]> {
  const out = new Map<string, WireMessage[]>();
  for (const m of messages) {
    let list = out.get(m.channel);
    if (!list) out.set(m.channel, (list = []));
    list.push(m);
  }
  return out;
}

function isOwn(m: WireMessage, reader: Reader): boolean {
  return m.from === reader.self;
}

export function unreadCount(read: ReadState, channelMessages: readonly WireMessage[] | undefined, reader: Reader): number {
  if (!channelMessages) return 0;
  const seen = read[channelMessages[0]?.channel ?? ''];
  let n = 0;
  for (const m of channelMessages) if (!isOwn(m, reader) && !seen?.has(m.seq)) n++;
  return n;
}

export function unreadCounts(
  read: ReadState,
  byChannel: ReadonlyMap<string, readonly WireMessage[]>,
  channels: readonly string[],
  reader: Reader,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of channels) out[c] = unreadCount(read, byChannel.get(c), reader);
  return out;
}

/** Marks every message now held in `channel` as seen. Returns `read` itself when nothing changes. */
export function markSeen(read: ReadState, channel: string, channelMessages: readonly WireMessage[] | undefined): ReadState {
  if (!channelMessages || channelMessages.length === 0) return read;
  const seen = read[channel];
  if (seen && channelMessages.every((m) => seen.has(m.seq))) return read;
  const next = new Set(seen);
  for (const m of channelMessages) next.add(m.seq);
  return { ...read, [channel]: next };
}

/** For localStorage: seqs as sorted runs `[from, to]`, which stay small for long sessions. */
export function serializeReadState(read: ReadState): string {
  const out: Record<string, [number, number][]> = {};
  for (const [channel, seqs] of Object.entries(read)) {
    const sorted = [...seqs].sort((a, b) => a - b);
    const runs: [number, number][] = [];
    for (const s of sorted) {
      const last = runs[runs.length - 1];
      if (last && s === last[1] + 1) last[1] = s;
      else runs.push([s, s]);
    }
    out[channel] = runs;
  }
  return JSON.stringify(out);
}

export function parseReadState(text: string | null): ReadState {
  if (!text) return {};
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null) return {};
    const out: Record<string, Set<number>> = {};
    for (const [channel, runs] of Object.entries(raw as Record<string, unknown>)) {
      if (!Array.isArray(runs)) continue;
      const set = new Set<number>();
      for (const run of runs) {
        if (!Array.isArray(run) || run.length !== 2) continue;
        const [a, b] = run as unknown[];
        if (typeof a !== 'number' || typeof b !== 'number' || b < a || b - a > 1_000_000) continue;
        for (let s = a; s <= b; s++) set.add(s);
      }
      out[channel] = set;
    }
    return out;
  } catch {
    return {};
  }
}

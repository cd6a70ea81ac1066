import type { WireMessage } from './game/viewer-stream.ts';

/**
 * How a client keeps the messages it may read. On the wire they are numbered
 * in the viewer's own stream (viewer-stream.ts): `seq` 1, 2, 3… with id
 * `n<seq>`, so a client holding `k` messages holds exactly 1..k. A message
 * that comes again (the white cell hid it, or showed it again) replaces the
 * copy held. Free of the engine, so the browser client can use it.
 */

function sameMessage(a: WireMessage, b: WireMessage): boolean {
  // Absent and null both mean "relays nothing" (WireMessage).
  return a.id === b.id && a.text === b.text && a.hidden === b.hidden && (a.relayOf ?? null) === (b.relayOf ?? null);
}

/**
 * `incoming` merged into `existing` (held in `seq` order): new messages are
 * appended in order, a message already held is replaced by its new copy.
 * Returns `existing` itself when nothing changed.
 */
export function mergeMessages(existing: readonly WireMessage[], incoming: readonly WireMessage[]): readonly WireMessage[] {
  if (incoming.length === 0) return existing;
  const last = existing.length > 0 ? existing[existing.length - 1]!.seq : 0;
  let replaced: WireMessage[] | null = null;
  const fresh = new Map<number, WireMessage>();
  for (const m of incoming) {
    if (m.seq > last) {
      fresh.set(m.seq, m);
      continue;
    }
    // Held messages are 1..k, so the copy held is found by its number (or, if ever not, by its id).
    const at = existing[m.seq - 1]?.id === m.id ? m.seq - 1 : existing.findIndex((x) => x.id === m.id);
    const held = at >= 0 ? (replaced ?? existing)[at] : undefined;
    if (!held || sameMessage(held, m)) continue;
    replaced ??= [...existing];
    replaced[at] = m;
  }
  if (fresh.size === 0) return replaced ?? existing;
  return [...(replaced ?? existing), ...[...fresh.values()].sort((a, b) => a.seq - b.seq)];
}

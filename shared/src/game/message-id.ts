/**
 * Seqs whose message ids are made once for every session: sessions all number
 * their log from 1, so message 40 of every session can hold one string `m40`,
 * and each public message keeps one heap object (24 B) fewer for the life of
 * its session (docs/performance/fan-out-log.md, "One id string per seq (kept)
 * and one box for the time (reverted)"). The value is
 * the same, so a message's JSON, export files and snapshots are unchanged.
 * Bounded, so that one very long session leaves at most this many strings
 * behind it (about 2 MB).
 */
const SHARED_IDS = 1 << 16;
const ids: string[] = [];

/** A message's id, `m<seq>`: the same string for the same seq, below SHARED_IDS. */
export function messageId(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= SHARED_IDS) return `m${seq}`;
  // Grown in order, so the list stays packed (no holes, no dictionary elements).
  while (ids.length <= seq) ids.push(`m${ids.length}`);
  return ids[seq] as string;
}

/**
 * Where each (channel, sender)'s messages sit in a MessageLog, so the
 * statement cap counts a seat's recent statements by two binary searches
 * instead of walking every message of the last minute (3,068 instructions a
 * delivery in the fan-out bench, whose cap lets 600 statements a minute by:
 * docs/performance/fan-out-log.md, "The statement cap by an index…").
 *
 * Like the log's columns, an index is shared by every log made by appending
 * and holds positions past a shorter log's end; readers bound every search by
 * their own length, and a fork copies the positions before its length.
 */
export type SenderIndex = Map<string, Map<string | null, number[]>>;

/** The first i in [lo, hi) with `list[i] >= value` (`list` ascending there), or hi. */
export function firstAtLeast(list: readonly number[], value: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions of this channel's messages from this sender, made empty if there were none. */
export function positionsOf(index: SenderIndex, channel: string, from: string | null): number[] {
  let byFrom = index.get(channel);
  if (byFrom === undefined) {
    byFrom = new Map();
    index.set(channel, byFrom);
  }
  let list = byFrom.get(from);
  if (list === undefined) {
    list = [];
    byFrom.set(from, list);
  }
  return list;
}

/** The index of a log's first `length` messages, sharing nothing with `index`. */
export function indexPrefix(index: SenderIndex, length: number): SenderIndex {
  const out: SenderIndex = new Map();
  for (const [channel, byFrom] of index) {
    const copy = new Map<string | null, number[]>();
    for (const [from, list] of byFrom) copy.set(from, list.slice(0, firstAtLeast(list, length, 0, list.length)));
    out.set(channel, copy);
  }
  return out;
}

/** Moves position `i` from one (channel, sender) to another (a replaced message's new author or channel). */
export function reindex(index: SenderIndex, i: number, from: [string, string | null], to: [string, string | null]): void {
  const old = positionsOf(index, from[0], from[1]);
  old.splice(firstAtLeast(old, i, 0, old.length), 1);
  const list = positionsOf(index, to[0], to[1]);
  list.splice(firstAtLeast(list, i, 0, list.length), 0, i);
}

/**
 * Where the times of a log stop rising: each i with `times[i] < times[i - 1]`
 * (or either not a number), ascending. A log's times rise but for these: two
 * processes' clocks, or an imported log, can step back.
 */
export function descentsOf(times: readonly number[], length: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < length; i++) if (!((times[i] as number) >= (times[i - 1] as number))) out.push(i);
  return out;
}

/**
 * The last position before `length` whose time is at or before `since`, or
 * -1: the statement cap's scan stopped there. Between two descents the times
 * rise, so each such run is searched by bisection, newest run first, skipping
 * a run whose first time is already after `since`.
 */
export function lastAtOrBefore(times: readonly number[], descents: readonly number[], length: number, since: number): number {
  let end = length;
  for (let r = firstAtLeast(descents, length, 0, descents.length) - 1; ; r--) {
    const start = r >= 0 ? (descents[r] as number) : 0;
    if (start < end && (times[start] as number) <= since) {
      let lo = start + 1;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((times[mid] as number) <= since) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    }
    if (r < 0) return -1;
    end = start;
  }
}

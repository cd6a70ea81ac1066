import { LogEntry } from '@rubicon/shared';

/**
 * The notice a process's append sends the other processes, so that they
 * update their sockets: Redis publishes it from inside the append script
 * (APPEND in redis-scripts.ts), the moment the entries are in the log, rather than the
 * appending process once it has had the answer and applied them (its event
 * loop, a collection or a busy stretch of it, no longer stands between an
 * append and the other processes' sockets). It carries the appended entries
 * themselves, so a process holding the session applies them without reading
 * the log back (one round trip fewer). The entries are exactly what the log
 * holds, and go only to server processes, through the same Redis.
 *
 * Published (pub/sub is fire-and-forget): a notice missed while a process
 * was disconnected is made up by its log poll (log-follower.ts).
 *
 * On the wire: `<writer>\n<session id>\n<last seq>\n<entries as a JSON array, or nothing>`.
 * The writer is the appending store's id, so that a process skips its own;
 * the last seq lets a process whose copy already has the entries (from a
 * conflict's reply, in a hot session) skip the notice without parsing them.
 */
export interface AppendNotice {
  sessionId: string;
  /** The log's head once these entries were appended (the last one's seq). */
  version: number;
  /**
   * The appended entries, or null when the notice does not carry them (a big batch): then read the log.
   * Parsed when asked: every process hears every append, also to sessions it does not hold.
   */
  entries(): LogEntry[] | null;
}

/** A batch of more entries goes without them (its readers read the log): a notice stays small. */
export const NOTICE_ENTRIES_MAX = 32;

/** The notice as published, or null when `writer` (this process's store) sent it or it is not one. */
export function readNotice(message: string, self: string): AppendNotice | null {
  const a = message.indexOf('\n');
  const b = message.indexOf('\n', a + 1);
  const c = message.indexOf('\n', b + 1);
  if (a < 0 || b < 0 || c < 0 || message.slice(0, a) === self) return null;
  const version = Number(message.slice(b + 1, c));
  if (!Number.isSafeInteger(version) || version < 1) return null;
  return { sessionId: message.slice(a + 1, b), version, entries: () => noticeEntries(message.slice(c + 1)) };
}

/**
 * The entries a notice carried, checked as a log read checks them; null when
 * it carried none or something that does not parse: then the receiver reads
 * the log, as it always could.
 */
function noticeEntries(text: string): LogEntry[] | null {
  if (text === '') return null;
  try {
    const raw: unknown = JSON.parse(text);
    if (!Array.isArray(raw) || raw.length === 0 || raw.length > NOTICE_ENTRIES_MAX) return null;
    return raw.map((e) => LogEntry.parse(e));
  } catch {
    return null;
  }
}

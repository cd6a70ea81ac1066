/**
 * Deadlines come from the server as absolute times. A classroom laptop's clock
 * can be off by more than the seconds that matter, so we estimate the offset
 * from the `Date` header of REST replies (second resolution) and correct only
 * when it is clearly off.
 */

let offsetMs = 0;

/** The offset (server − local, ms) implied by a Date header seen between two local instants; null when unusable. */
export function offsetFromDateHeader(dateHeader: string | null, sentAt: number, receivedAt: number): number | null {
  if (!dateHeader) return null;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return null;
  // The header is truncated to the second: the true server time is in [server, server + 1000).
  const midLocal = (sentAt + receivedAt) / 2;
  const estimate = server + 500 - midLocal;
  // Within the header's own uncertainty (plus the round trip), trust the local clock.
  return Math.abs(estimate) <= 1500 + (receivedAt - sentAt) / 2 ? 0 : Math.round(estimate);
}

export function observeDateHeader(dateHeader: string | null, sentAt: number, receivedAt: number): void {
  const o = offsetFromDateHeader(dateHeader, sentAt, receivedAt);
  if (o !== null) offsetMs = o;
}

/** The server's idea of now, as well as we can tell. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

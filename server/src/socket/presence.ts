import type { Presence } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import { roomFor, viewersOf } from '../session/rooms.ts';
import type { RubiconServer } from './types.ts';

/**
 * Who is connected to a session, counted over every server process (through
 * the adapter's fetchSockets), falling back to this process's sockets when
 * another process does not answer in time.
 */
export class PresenceTracker {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly io: RubiconServer,
    private readonly log: Logger,
    /** Coalesces a burst of joins (a class arriving) into one broadcast. */
    private readonly delayMs = 50,
  ) {}

  async count(sessionId: string, seats: readonly string[]): Promise<Presence> {
    const rooms = viewersOf(seats).map((v) => roomFor(sessionId, v));
    let sockets;
    try {
      sockets = await this.io.in(rooms).fetchSockets();
    } catch (err) {
      this.log.warn({ err, sessionId }, 'counting presence across processes failed; counting this process only');
      sockets = await this.io.local.in(rooms).fetchSockets();
    }
    const presence: Presence = { seats: Object.fromEntries(seats.map((s) => [s, 0])), facilitators: 0, observers: 0 };
    for (const socket of sockets) {
      const role = socket.data.grant?.sessionId === sessionId ? socket.data.grant.role : null;
      if (role?.kind === 'seat') presence.seats[role.seat] = (presence.seats[role.seat] ?? 0) + 1;
      else if (role?.kind === 'facilitator') presence.facilitators++;
      else if (role?.kind === 'observer') presence.observers++;
    }
    return presence;
  }

  /** Tells everyone in the session who is connected, soon. */
  announce(sessionId: string, seats: readonly string[]): void {
    if (this.closed || this.pending.has(sessionId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(sessionId);
      this.count(sessionId, seats).then(
        (presence) => {
          if (this.closed) return;
          const rooms = viewersOf(seats).map((v) => roomFor(sessionId, v));
          this.io.to(rooms).emit('presence', presence);
        },
        (err: unknown) => this.log.warn({ err, sessionId }, 'could not announce presence'),
      );
    }, this.delayMs);
    this.pending.set(sessionId, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}

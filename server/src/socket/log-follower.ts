import type { LogEntry } from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { eventUpdates } from '../session/broadcast.ts';
import { isOutage } from '../session/service-error.ts';
import { PollLoop } from '../store/poll-loop.ts';
import { sessionOfRoom } from '../session/rooms.ts';
import type { SessionService } from '../session/session-service.ts';
import type { ViewerStreams } from '../session/viewer-streams.ts';
import type { RubiconServer } from './types.ts';
import { encodedUpdates, sendUpdate, sendUpdateTo, sessionTargets } from './update-encoding.ts';

/**
 * Keeps this process's sockets in step with the log. Each process sends its
 * own sockets every event they may see, in log order and numbered in each
 * viewer's own stream, as its service applies them (its
 * own appends and those it catches up on), so every socket sees versions
 * strictly in order whichever process accepted them. With Redis, each append
 * is published to the other processes with its entries as it is written
 * (store/append-notice.ts), and they apply them; and since a notice may be lost, each process also reads
 * the heads of its sessions' logs now and then (one round trip for all) and
 * catches up those it is behind. Idle sessions without sockets here are
 * dropped from memory.
 */
export function followLog(io: RubiconServer, service: SessionService, streams: ViewerStreams, config: Config, redis: boolean, log: Logger): { stop(): void } {
  // The namespace's adapter and its room map live as long as the server: looked up once, not per event.
  const adapter = io.of('/').adapter;
  const occupied = (room: string) => (adapter.rooms.get(room)?.size ?? 0) > 0;
  const send = (to: string[], json: string) => sendUpdate(adapter, to, json);
  const sessionTarget = sessionTargets();
  service.onApplied((event) => {
    // Local only: each process updates its own sockets (and an encoded update must not cross to another process).
    const updates = eventUpdates(event, streams, occupied);
    if (!Array.isArray(updates)) sendUpdateTo(adapter, sessionTarget(event.sessionId, event.game), updates.json());
    else encodedUpdates(updates).forEach(send);
  });

  const refresh = (sessionId: string, handed: readonly LogEntry[] | null = null) =>
    service.refresh(sessionId, handed).catch((err: unknown) => {
      // During an outage every poll fails; the store logs that once.
      if (!isOutage(err)) log.error({ err, sessionId }, 'catching up with the log failed');
    });
  // The store publishes each append as it writes it (append-notice.ts).
  const following = redis
    ? service.store.followAppends((notice) => {
        // Not held here, or already applied (a conflict's reply brought the entries): nothing to parse.
        const held = service.peek(notice.sessionId);
        if (held && held.state.version < notice.version) void refresh(notice.sessionId, notice.entries());
      }).catch((err: unknown) => {
        log.error({ err }, 'could not follow the other processes\' appends; the log poll still catches up');
        return null;
      })
    : null;

  const poll = redis ? new PollLoop(config.logPollMs) : null;
  poll?.start(async () => {
    try {
      for (const sessionId of await service.behind(sessionsWithSockets(io))) void refresh(sessionId);
    } catch (err) {
      // During an outage every poll fails; the store logs that once.
      if (!isOutage(err)) log.error({ err }, 'reading the heads of the logs failed');
    }
  });
  const evict = setInterval(() => {
    service.evictIdle(config.cacheIdleMs, sessionsWithSockets(io)).catch((err: unknown) => {
      if (!isOutage(err)) log.error({ err }, 'evicting idle sessions failed');
    });
  }, Math.min(60_000, config.cacheIdleMs)).unref();

  return {
    stop() {
      void poll?.stop();
      void following?.then((stop) => stop?.());
      clearInterval(evict);
    },
  };
}

/** Sessions with at least one socket in one of their rooms on this process. */
export function sessionsWithSockets(io: RubiconServer): Set<string> {
  const ids = new Set<string>();
  for (const [room, members] of io.of('/').adapter.rooms) {
    const sessionId = sessionOfRoom(room);
    if (sessionId && members.size > 0) ids.add(sessionId);
  }
  return ids;
}

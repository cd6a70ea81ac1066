import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { updatesFor } from '../session/broadcast.ts';
import { isOutage } from '../session/service-error.ts';
import { sessionOfRoom } from '../session/rooms.ts';
import type { SessionService } from '../session/session-service.ts';
import type { ViewerStreams } from '../session/viewer-streams.ts';
import type { RubiconServer } from './types.ts';
import { encodedUpdates, sendUpdate } from './update-encoding.ts';

/**
 * Keeps this process's sockets in step with the log. Each process sends its
 * own sockets every event they may see, in log order and numbered in each
 * viewer's own stream, as its service applies them (its
 * own appends and those it catches up on), so every socket sees versions
 * strictly in order whichever process accepted them. With Redis, a process
 * that appends tells the others, which catch up; and since pub/sub may drop
 * a notice, each process also re-reads the logs of its sessions now and
 * then. Idle sessions without sockets here are dropped from memory.
 */
export function followLog(io: RubiconServer, service: SessionService, streams: ViewerStreams, config: Config, redis: boolean, log: Logger): { stop(): void } {
  // A batch's entries are applied in one go: the other processes hear once per batch, with its last seq.
  const toAnnounce = new Map<string, number>();
  const announce = () => {
    for (const [sessionId, seq] of toAnnounce) io.serverSideEmit('appended', sessionId, seq);
    toAnnounce.clear();
  };
  // The namespace's adapter and its room map live as long as the server: looked up once, not per event.
  const adapter = io.of('/').adapter;
  const occupied = (room: string) => (adapter.rooms.get(room)?.size ?? 0) > 0;
  const send = (to: string[], json: string) => sendUpdate(adapter, to, json);
  service.onApplied((event) => {
    // Local only: each process updates its own sockets (and an encoded update must not cross to another process).
    encodedUpdates(updatesFor(event, streams, occupied)).forEach(send);
    if (!event.appendedHere || !redis) return;
    if (toAnnounce.size === 0) queueMicrotask(announce);
    toAnnounce.set(event.sessionId, event.entry.seq);
  });

  const refresh = (sessionId: string) =>
    service.refresh(sessionId).catch((err: unknown) => {
      // During an outage every poll fails; the store logs that once.
      if (!isOutage(err)) log.error({ err, sessionId }, 'catching up with the log failed');
    });
  io.on('appended', (sessionId: string) => void refresh(sessionId));

  const poll = redis
    ? setInterval(() => {
        for (const sessionId of sessionsWithSockets(io)) void refresh(sessionId);
      }, config.logPollMs).unref()
    : null;
  const evict = setInterval(() => {
    service.evictIdle(config.cacheIdleMs, sessionsWithSockets(io)).catch((err: unknown) => {
      if (!isOutage(err)) log.error({ err }, 'evicting idle sessions failed');
    });
  }, Math.min(60_000, config.cacheIdleMs)).unref();

  return {
    stop() {
      if (poll) clearInterval(poll);
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

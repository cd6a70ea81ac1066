import { seatsInPlay } from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Clock, Grant } from '../store/types.ts';
import { MemoryScheduler } from '../store/memory-scheduler.ts';
import { accessRoom, viewerRooms } from '../session/rooms.ts';
import { accessKeyOf } from '../session/access.ts';
import { ServiceError } from '../session/service-error.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import { tokensExpired } from '../session/token-expiry.ts';
import type { SessionService } from '../session/session-service.ts';
import { dropAtExpiry } from './expiry-drops.ts';
import { sessionsWithSockets } from './log-follower.ts';
import { sweepRetention } from '../session/retention.ts';
import type { RubiconServer, RubiconSocket } from './types.ts';

export interface SocketGrantsDeps {
  io: RubiconServer;
  service: SessionService;
  directory: SessionDirectory;
  config: Config;
  clock: Clock;
  log: Logger;
}

/** What a socket may do, decided from the grant its hello gave it: checks before it acts, and drops when a grant ends. */
export interface SocketGrants {
  /** The grant a socket acts or reads with, if it still holds (a promise only when a check must wait). */
  liveGrant(socket: RubiconSocket, deadline: number): Grant | Promise<Grant>;
  /**
   * A recovered socket's grant may have been revoked since recovery-guard.ts checked it: checked again before it
   * may act, within STORE_TIMEOUT_MS; a refusal, or no answer in time, closes it. Its place under its token was taken before it was built.
   */
  recheckRecovered(socket: RubiconSocket, grant: Grant): void;
  /** Drops every socket (on every process) in these rooms, as a revocation or an expiry does: each client's reconnect and hello learn why. */
  drop(rooms: string[]): void;
  stop(): Promise<void>;
}

export function grantKey(grant: Grant): string {
  return grant.key ?? accessKeyOf(grant.role);
}

function grantOf(socket: RubiconSocket): Grant {
  const grant = socket.data.grant;
  if (!grant) throw new ServiceError('unauthorized', 'Say hello with your token first.');
  return grant;
}

/** Every role room of a session, if this process holds it (and so knows its seats). */
function roleRooms(service: SessionService, sessionId: string): string[] | null {
  const game = service.peek(sessionId)?.game;
  return game ? viewerRooms(sessionId, game, seatsInPlay(game.scenario, game.setup)).map((r) => r.room) : null;
}

/** The token expiries of the sessions this process holds, each dropping this process's sockets of its session. */
function expiryDropsHere({ io, service, directory, config, clock, log }: SocketGrantsDeps): { stop(): Promise<void> } {
  return dropAtExpiry({
    service,
    expiry: directory.expiry,
    scheduler: new MemoryScheduler({ clock, pollMs: config.timerPollMs, onError: (err) => log.error({ err }, 'a token expiry failed') }),
    // This process's sockets only: every process holding the session drops its own when its expiry comes due.
    drop: (sessionId) => {
      const rooms = roleRooms(service, sessionId);
      if (rooms) io.local.in(rooms).disconnectSockets();
    },
    log,
    storeTimeoutMs: config.storeTimeoutMs,
  });
}

/**
 * Removes the sessions past their retention (retention.ts) and lets go of those removed, here or by another
 * process: this process's sockets of one are dropped (their hello again finds no session), its copy forgotten.
 */
function retentionHere({ io, service, config, clock, log }: SocketGrantsDeps): { stop(): void } {
  return sweepRetention({
    store: service.store,
    clock,
    log,
    everyMs: config.retentionSweepMs,
    idleMs: config.retention.idleMs,
    held: () => [...service.heldIds(), ...sessionsWithSockets(io)],
    removed: async (sessionId) => {
      const rooms = roleRooms(service, sessionId);
      if (rooms) io.local.in(rooms).disconnectSockets();
      await service.discard(sessionId);
    },
  });
}

export function socketGrants(deps: SocketGrantsDeps): SocketGrants {
  const { io, service, directory, config } = deps;
  const rechecks = new WeakMap<RubiconSocket, Promise<void>>();
  const drop = (rooms: string[]) => io.in(rooms).disconnectSockets();
  const expiries = expiryDropsHere(deps);
  const retention = retentionHere(deps);

  /**
   * A recovered socket's recheck first, then its expiry. All of a session's tokens expire together, so
   * an expiry found drops every socket of the session. The drop waits for setImmediate: ack-handler
   * answers the refusal in the microtasks of this rejection, so the client has read why before it is dropped.
   */
  async function confirmedGrant(socket: RubiconSocket, deadline: number): Promise<Grant> {
    const pending = rechecks.get(socket);
    if (pending) await pending;
    const grant = grantOf(socket);
    if (!(await directory.expiry.grantExpired(grant, deadline))) return grant;
    setImmediate(() => drop(roleRooms(service, grant.sessionId) ?? [accessRoom(grant.sessionId, grantKey(grant))]));
    throw tokensExpired();
  }

  return {
    liveGrant(socket, deadline) {
      // Nearly every command: no recheck pending and a held copy that says the tokens work, so no promise.
      // Most sockets were never recovered: they have no recheck, and their commands skip the wait for one.
      if (!rechecks.has(socket)) {
        const grant = grantOf(socket);
        if (directory.expiry.liveHere(grant)) return grant;
      }
      return confirmedGrant(socket, deadline);
    },
    recheckRecovered(socket, grant) {
      const check = directory.checkGrant(grant, performance.now() + config.storeTimeoutMs);
      rechecks.set(
        socket,
        check.catch(() => {
          socket.data.grant = null;
          socket.disconnect();
        }),
      );
    },
    drop,
    stop: () => {
      retention.stop();
      return expiries.stop();
    },
  };
}

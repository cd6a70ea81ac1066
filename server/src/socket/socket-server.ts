import type { Server as HttpServer } from 'node:http';
import type { RedisClientType } from 'redis';
import type { z } from 'zod';
import { seatsInPlay } from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, Grant } from '../store/types.ts';
import type { Limits } from '../limits/limits.ts';
import { clientAddress, type TrustProxy } from '../http/client-address.ts';
import type { OwnBots } from '../http/own-bots.ts';
import { accessRoom } from '../session/rooms.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import type { SessionService } from '../session/session-service.ts';
import { ViewerStreams } from '../session/viewer-streams.ts';
import { ackHandler, type AckHandlerSpec } from './ack-handler.ts';
import { followLog } from './log-follower.ts';
import { eventGuard } from './event-guard.ts';
import { AnonymousSockets, anonymousCap } from './anonymous-sockets.ts';
import type { HostPolicy } from '../http/host-check.ts';
import { createIoServer } from './io-server.ts';
import { guardRecovery } from './recovery-guard.ts';
import { PresenceTracker } from './presence.ts';
import { seatHandlers } from './seat-handlers.ts';
import { socketGrants, type SocketGrants } from './socket-grants.ts';
import { SharedPlaces } from './shared-places.ts';
import { SharedTokenSockets } from './shared-token-sockets.ts';
import { TokenSockets, type TokenPlaces } from './token-sockets.ts';
import type { RubiconServer, RubiconSocket } from './types.ts';

export interface SocketServerDeps {
  httpServer: HttpServer;
  config: Config;
  /** The names a handshake's Host may carry (host-check.ts). */
  hosts: HostPolicy;
  service: SessionService;
  directory: SessionDirectory;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  /** TRUST_PROXY, to tell a socket's client address as Express does. */
  trustProxy: TrustProxy;
  /** This process's own bots, whose hellos and syncs no per-address limit counts. */
  ownBots: OwnBots;
  /** With Redis: the adapter that lets several processes serve one session. */
  redis: RedisClientType | null;
  /** With Redis: the store's own client (no offline queue), where the sockets per token are counted across processes. */
  storeRedis: RedisClientType | null;
  /** The server's clock, by which tokens expire. */
  clock: Clock;
}

export interface SocketServer {
  io: RubiconServer;
  presence: PresenceTracker;
  /**
   * Drops every socket (on every process) holding a grant of this access key, and resolves once every
   * process has done so (or did not answer within REVOKE_BARRIER_MS), so that the revocation's answer
   * comes after the drop: a command sent on the answer to another process never finds its socket open.
   */
  revoke(sessionId: string, key: string): Promise<void>;
  /** `release: false` stands in for a killed process in tests: the token places it held are not given back. */
  close(options?: { release?: boolean }): Promise<void>;
}

/** How long a revocation's answer waits for every process to confirm its drop (a stopped process must not hold it up for long). */
const REVOKE_BARRIER_MS = 2000;

/**
 * A socket that recovered its grant claims the place under its token that recovery-guard.ts took for it (one
 * that lapsed before the socket came leaves it none: closed), and its grant is checked again.
 */
function recoverGrant(socket: RubiconSocket, grant: Grant, tokenSockets: TokenPlaces, grants: SocketGrants): void {
  const key = socket.data.tokenKey;
  if (key !== undefined && !tokenSockets.claim(socket, key)) {
    socket.data.grant = null;
    socket.disconnect(true);
    return;
  }
  grants.recheckRecovered(socket, grant);
}

/** SOCKETS_PER_TOKEN: counted in this process, or with Redis across every process sharing it. */
function tokenPlaces({ config, storeRedis }: SocketServerDeps, log: Logger): TokenPlaces {
  // A refused tab's hello again comes before its socket's hello deadline closes it. A recovering socket's
  // place waits for it as long as a new socket may go without its hello.
  const local = new TokenSockets(config.socketsPerToken, Math.ceil(config.helloTimeoutMs / 2), config.helloTimeoutMs);
  if (!storeRedis) return local;
  return new SharedTokenSockets(local, { redis: storeRedis, prefix: config.redisPrefix, leaseMs: config.tokenSocketsLeaseMs, timeoutMs: config.storeTimeoutMs, log });
}

/** ANONYMOUS_SOCKETS_PER_ADDRESS: counted in this process, or with Redis across every process sharing it, leased as the token places are. */
function anonymousSockets({ config, storeRedis }: SocketServerDeps, log: Logger): AnonymousSockets {
  const { anonymousSocketsPerAddress: cap, helloTimeoutMs, redisPrefix: prefix } = config;
  if (!storeRedis) return new AnonymousSockets(cap, helloTimeoutMs);
  // "at:" keeps an address (a forwarded one is whatever the header says) from ever naming the leases' hash.
  const keys = { leases: `${prefix}anonymous-sockets:leases`, places: (address: string) => `${prefix}anonymous-sockets:at:${address}` };
  const options = { redis: storeRedis, keys, cap, leaseMs: config.tokenSocketsLeaseMs, timeoutMs: config.storeTimeoutMs, what: 'anonymous sockets', log };
  return new AnonymousSockets(cap, helloTimeoutMs, (book) => new SharedPlaces(book, options));
}

/**
 * Drops every socket of one access (a seat's code and its tokens) on every process, and settles once each process
 * has run the drop. A barrier, not a count: the adapter carries requests to each process in order, so a process
 * answers the fetch only after it has run the drop before it.
 */
async function dropEverywhere(io: RubiconServer, grants: SocketGrants, sessionId: string, key: string, log: Logger): Promise<void> {
  const rooms = [accessRoom(sessionId, key)];
  grants.drop(rooms);
  await io.in(rooms).timeout(REVOKE_BARRIER_MS).fetchSockets().then(
    () => undefined,
    (err: unknown) => log.warn({ err, sessionId, key }, 'a process did not confirm a revocation\'s drop in time; answering anyway'),
  );
}

export function createSocketServer(deps: SocketServerDeps): SocketServer {
  const { config, service, directory, metrics, limits, redis } = deps;
  const log = deps.logger.child({ module: 'socket' });
  const io = createIoServer(deps.httpServer, config, deps.hosts, metrics, redis);
  const tokenSockets = tokenPlaces(deps, log);
  if (config.recoveryMs > 0) guardRecovery(io, (grant) => directory.checkGrant(grant, performance.now() + config.storeTimeoutMs), tokenSockets);
  const anonymous = anonymousSockets(deps, log);
  io.use(anonymousCap(anonymous, { trustProxy: deps.trustProxy, ownBots: deps.ownBots, metrics }));
  const presence = new PresenceTracker(io, log);

  const streams = new ViewerStreams();
  const follower = followLog(io, service, streams, config, redis !== null, log);
  const handle = <S extends z.ZodType, T>(spec: AckHandlerSpec<S, T, RubiconSocket>) => ackHandler({ log, metrics }, spec);

  const grants = socketGrants({ io, service, directory, config, clock: deps.clock, log });
  const { onHello, onCommand, onSync } = seatHandlers({ config, service, directory, limits, streams, presence, grants, anonymous, tokenSockets, handle, announceFor });

  function onDisconnect(this: RubiconSocket): void {
    metrics.sockets.dec();
    tokenSockets.release(this);
    const grant = this.data.grant;
    if (grant) announceFor(grant.sessionId);
  }

  io.on('connection', (socket) => {
    metrics.sockets.inc();
    if (!socket.recovered) socket.data.grant = null;
    // Runs before the event handlers: limits, unknown events and the size check come first and cost little.
    socket.use(eventGuard({ limits, metrics, socketId: socket.id, address: deps.ownBots.carries(socket.request.headers) ? null : clientAddress(socket.request, deps.trustProxy) }));
    anonymous.connected(socket);
    const recovered = socket.recovered ? socket.data.grant : null;
    if (recovered) recoverGrant(socket, recovered, tokenSockets, grants);
    socket.on('hello', onHello);
    socket.on('command', onCommand);
    socket.on('sync', onSync);
    socket.on('disconnect', onDisconnect);
  });

  function announceFor(sessionId: string): void {
    const session = service.peek(sessionId);
    if (session) presence.announce(sessionId, seatsInPlay(session.game.scenario, session.game.setup));
  }

  return {
    io,
    presence,
    revoke: (sessionId, key) => dropEverywhere(io, grants, sessionId, key, log),
    async close({ release = true } = {}) {
      // A kill's stand-in gives nothing back, not even as io.close disconnects its sockets.
      if (!release) await Promise.all([tokenSockets.close({ release }), anonymous.close({ release })]);
      await grants.stop();
      follower.stop();
      presence.close();
      await io.close();
      if (release) await Promise.all([tokenSockets.close({ release }), anonymous.close({ release })]);
    },
  };
}

import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { RedisClientType } from 'redis';
import type { z } from 'zod';
import {
  CommandPayload,
  HelloPayload,
  SyncPayload,
  commandFromWire,
  parseCommandPayload,
  seatsInPlay,
  type Command,
  type CommandResult,
  type HelloData,
  type SyncData,
} from '@rubicon/shared';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Clock, Grant } from '../store/types.ts';
import { MemoryScheduler } from '../store/memory-scheduler.ts';
import type { Limits } from '../limits/limits.ts';
import { clientAddress, type TrustProxy } from '../http/client-address.ts';
import { accessRoom, roomFor, viewerRooms } from '../session/rooms.ts';
import { accessKeyOf, actingActor } from '../session/access.ts';
import { ServiceError } from '../session/service-error.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import { tokensExpired } from '../session/token-expiry.ts';
import type { SessionService } from '../session/session-service.ts';
import { syncData } from '../session/sync-data.ts';
import { ViewerStreams } from '../session/viewer-streams.ts';
import { ackHandler, type AckHandlerSpec } from './ack-handler.ts';
import { dropAtExpiry } from './expiry-drops.ts';
import { followLog } from './log-follower.ts';
import { eventGuard } from './event-guard.ts';
import { helloDeadline, helloSaid } from './hello-deadline.ts';
import { originAllowed } from './origin-check.ts';
import { PresenceTracker } from './presence.ts';
import type { RubiconServer, RubiconSocket } from './types.ts';
import { spliceParser } from './update-encoding.ts';

export interface SocketServerDeps {
  httpServer: HttpServer;
  config: Config;
  service: SessionService;
  directory: SessionDirectory;
  logger: Logger;
  metrics: Metrics;
  limits: Limits;
  /** TRUST_PROXY, to tell a socket's client address as Express does. */
  trustProxy: TrustProxy;
  /** With Redis: the adapter that lets several processes serve one session. */
  redis: RedisClientType | null;
  /** The server's clock, by which tokens expire. */
  clock: Clock;
}

export interface SocketServer {
  io: RubiconServer;
  presence: PresenceTracker;
  /** Drops every socket (on every process) holding a grant of this access key: a revocation takes effect at once. */
  revoke(sessionId: string, key: string): void;
  close(): Promise<void>;
}

/** Commands that name a message, in the sender's own numbering (viewer-stream.ts). */
function namesMessage(command: Command): boolean {
  return command.type === 'HIDE_MESSAGE' || (command.type === 'SEND_MESSAGE' && command.relayOf !== undefined);
}

function noSuchMessage(): never {
  throw new ServiceError('invalid', 'There is no such message among those you may read.');
}

function grantKey(grant: Grant): string {
  return grant.key ?? accessKeyOf(grant.role);
}

export function createSocketServer(deps: SocketServerDeps): SocketServer {
  const { config, service, directory, metrics, limits, redis } = deps;
  const log = deps.logger.child({ module: 'socket' });
  const prefix = config.redisPrefix;
  const isAllowedOrigin = originAllowed({ allowedOrigins: config.allowedOrigins, publicUrl: config.publicUrl });
  const io: RubiconServer = new Server(deps.httpServer, {
    maxHttpBufferSize: config.maxPayloadBytes,
    // Updates go out pre-encoded, a message's body encoded once for all its readers (update-encoding.ts).
    parser: spliceParser,
    // Socket.IO's in-memory recovery keeps every broadcast packet for the whole window (all sessions', with no
    // bound but time), so 0 turns it off altogether; a client that says hello with its version loses nothing.
    ...(config.recoveryMs > 0 ? { connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMs, skipMiddlewares: true } } : {}),
    allowRequest: (req, callback) => {
      const allowed = isAllowedOrigin(req);
      if (!allowed) metrics.refusals.inc({ code: 'origin' });
      callback(allowed ? null : 'origin not allowed', allowed);
    },
    ...(redis
      ? {
          adapter: createAdapter(redis, {
            streamName: `${prefix}socket.io`,
            channelPrefix: `${prefix}socket.io`,
            sessionKeyPrefix: `${prefix}sio:session:`,
            // Short blocking reads, so that closing the adapter does not wait long for the last one.
            blockTimeInMs: 1000,
          }),
        }
      : {}),
  });
  const presence = new PresenceTracker(io, log);

  const streams = new ViewerStreams();
  const follower = followLog(io, service, streams, config, redis !== null, log);
  const handle = <S extends z.ZodType, T>(spec: AckHandlerSpec<S, T, RubiconSocket>) => ackHandler({ log, metrics }, spec);

  function grantOf(socket: RubiconSocket): Grant {
    const grant = socket.data.grant;
    if (!grant) throw new ServiceError('unauthorized', 'Say hello with your token first.');
    return grant;
  }

  /** A recovered socket's grant may have been revoked while it was away: checked before it may act again. */
  const rechecks = new WeakMap<RubiconSocket, Promise<void>>();
  // Most sockets were never recovered: they have no recheck, and their commands skip the wait for one.
  const recheck = (socket: RubiconSocket): Promise<void> | undefined => rechecks.get(socket);

  /** Drops every socket (on every process) in these rooms, as a revocation or an expiry does: each client's reconnect and hello learn why. */
  const drop = (rooms: string[]) => io.in(rooms).disconnectSockets();

  /** Every role room of a session, if this process holds it (and so knows its seats). */
  function roleRooms(sessionId: string): string[] | null {
    const game = service.peek(sessionId)?.game;
    return game ? viewerRooms(sessionId, game, seatsInPlay(game.scenario, game.setup)).map((r) => r.room) : null;
  }

  const expiries = dropAtExpiry({
    service,
    expiry: directory.expiry,
    scheduler: new MemoryScheduler({ clock: deps.clock, pollMs: config.timerPollMs, onError: (err) => log.error({ err }, 'a token expiry failed') }),
    // This process's sockets only: every process holding the session drops its own when its expiry comes due.
    drop: (sessionId) => {
      const rooms = roleRooms(sessionId);
      if (rooms) io.local.in(rooms).disconnectSockets();
    },
    log,
  });

  /**
   * The grant a socket acts or reads with, if it still holds: a recovered socket's recheck first, then
   * its expiry. All of a session's tokens expire together, so an expiry found drops every socket of the
   * session. The drop waits for setImmediate: ack-handler answers the refusal in the microtasks of this
   * rejection, so the client has read why before it is dropped.
   */
  function liveGrant(socket: RubiconSocket, deadline: number): Grant | Promise<Grant> {
    // Nearly every command: no recheck pending and a held copy that says the tokens work, so no promise.
    if (!recheck(socket)) {
      const grant = grantOf(socket);
      if (directory.expiry.liveHere(grant)) return grant;
    }
    return confirmedGrant(socket, deadline);
  }

  async function confirmedGrant(socket: RubiconSocket, deadline: number): Promise<Grant> {
    const pending = recheck(socket);
    if (pending) await pending;
    const grant = grantOf(socket);
    if (!(await directory.expiry.grantExpired(grant, deadline))) return grant;
    setImmediate(() => drop(roleRooms(grant.sessionId) ?? [accessRoom(grant.sessionId, grantKey(grant))]));
    throw tokensExpired();
  }

  // The event handlers are built once and serve every socket (the socket comes in as `this`, ack-handler.ts).
  const onHello = handle({
    event: 'hello',
    schema: HelloPayload,
    run: async (p, socket): Promise<HelloData> => {
      const grant = await directory.authenticate(p.token);
      if (grant.sessionId !== p.sessionId) throw new ServiceError('forbidden', 'This token belongs to another session.');
      const previous = socket.data.grant;
      return service.withSession(p.sessionId, (session) => {
        // A socket gone while we waited must not be left behind in a room.
        if (socket.connected) {
          // One role per socket: a socket that says hello again with another token leaves its old room.
          if (previous) {
            void socket.leave(roomFor(previous.sessionId, previous.role));
            void socket.leave(accessRoom(previous.sessionId, grantKey(previous)));
          }
          void socket.join([roomFor(grant.sessionId, grant.role), accessRoom(grant.sessionId, grantKey(grant))]);
          socket.data.grant = grant;
          socket.data.name = grant.role.kind === 'seat' ? (p.name ?? null) : null;
          helloSaid(socket);
          presence.announce(grant.sessionId, seatsInPlay(session.game.scenario, session.game.setup));
          if (previous && previous.sessionId !== grant.sessionId) announceFor(previous.sessionId);
        }
        const held = { lastVersion: p.lastVersion, messagesHeld: p.messagesHeld };
        return { ...syncData(session, grant.role, streams, held), role: grant.role, sessionId: grant.sessionId };
      }, performance.now() + config.storeTimeoutMs);
    },
  });

  const onCommand = handle({
    event: 'command',
    schema: CommandPayload,
    parse: parseCommandPayload,
    labelOf: (p) => p.command.type,
    run: async (p, socket): Promise<CommandResult> => {
      const received = performance.now();
      const deadline = received + config.storeTimeoutMs;
      // Who acts comes from the token this socket said hello with, never from the payload.
      const live = liveGrant(socket, deadline);
      const grant = live instanceof Promise ? await live : live;
      const name = socket.data.name;
      const actor = actingActor(grant.role.kind === 'seat' && name ? { ...grant.role, name } : grant.role);
      // Counted here in memory; with Redis, counted by its append, in the same round trip (limits.ts).
      const limit = limits.command(grant.sessionId, grantKey(grant));
      const command = namesMessage(p.command)
        ? await service.withSession(grant.sessionId, (s) => commandFromWire(s.game, s.state, grant.role, p.command) ?? noSuchMessage(), deadline).catch(async (err: unknown) => {
            // Refused before its append, which would have counted it: counted on its own (over the budget, that is the answer).
            await limit?.countAlone();
            throw err;
          })
        : p.command;
      const result = await service.execute(grant.sessionId, actor, p.commandId, p.expectedGameVersion ?? null, command, limit ? { deadline, limit } : { deadline });
      // Answered in the sender's own stream, which this process has followed past the command: right
      // after it, or (a retry) where the stream is now.
      const session = service.peek(grant.sessionId);
      if (!session) throw new ServiceError('unavailable', 'The session left this server; try again with the same command id.', { retryAfterMs: 100 });
      const state = result.after ?? session.state;
      return { version: streams.position(session.game, state, grant.role).version, duplicate: result.duplicate, gameVersion: state.gameVersion };
    },
  });

  const onSync = handle({
    event: 'sync',
    schema: SyncPayload,
    run: async (p, socket): Promise<SyncData> => {
      const deadline = performance.now() + config.storeTimeoutMs;
      const live = liveGrant(socket, deadline);
      const grant = live instanceof Promise ? await live : live;
      const held = { lastVersion: p.sinceVersion, messagesHeld: p.messagesHeld };
      return service.withSession(grant.sessionId, (session) => syncData(session, grant.role, streams, held), deadline);
    },
  });

  function onDisconnect(this: RubiconSocket): void {
    metrics.sockets.dec();
    const grant = this.data.grant;
    if (grant) announceFor(grant.sessionId);
  }

  io.on('connection', (socket) => {
    metrics.sockets.inc();
    if (!socket.recovered) socket.data.grant = null;
    // Runs before the event handlers: limits, unknown events and the size check come first and cost little.
    socket.use(eventGuard({ limits, metrics, socketId: socket.id, address: clientAddress(socket.request, deps.trustProxy) }));
    helloDeadline(socket, config.helloTimeoutMs);
    const recovered = socket.recovered ? socket.data.grant : null;
    if (recovered) {
      rechecks.set(
        socket,
        directory.checkGrant(recovered).catch(() => {
          socket.data.grant = null;
          socket.disconnect();
        }),
      );
    }
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
    revoke(sessionId, key) {
      drop([accessRoom(sessionId, key)]);
    },
    async close() {
      await expiries.stop();
      follower.stop();
      presence.close();
      await io.close();
    },
  };
}

import type { z } from 'zod';
import {
  CommandPayload,
  HelloPayload,
  SyncPayload,
  commandFromWire,
  parseCommandPayload,
  seatsInPlay,
  viewerGameVersion,
  type Command,
  type CommandResult,
  type HelloData,
  type SyncData,
} from '@rubicon/shared';
import type { Config } from '../config.ts';
import { commandLimitKeys, type CommandLimitKeys, type Limits } from '../limits/limits.ts';
import { accessRoom, roomFor, sessionRoom } from '../session/rooms.ts';
import { actingActor, type ActingActor } from '../session/access.ts';
import { answerWhenSettled, type Answer } from '../session/answer.ts';
import type { CommandLimit, CommandRequest, Executed } from '../session/command-path.ts';
import { ServiceError, isOutage, outageWorded, unavailable } from '../session/service-error.ts';
import type { SessionDirectory } from '../session/session-directory.ts';
import { hashToken } from '../session/secrets.ts';
import type { SessionService } from '../session/session-service.ts';
import { syncData } from '../session/sync-data.ts';
import type { ViewerStreams } from '../session/viewer-streams.ts';
import type { AckHandlerSpec } from './ack-handler.ts';
import { CommandAnswer } from './command-answer.ts';
import type { AnonymousSockets } from './anonymous-sockets.ts';
import type { PresenceTracker } from './presence.ts';
import { grantKey, type SocketGrants } from './socket-grants.ts';
import type { TokenPlaces } from './token-sockets.ts';
import type { RubiconSocket } from './types.ts';
import type { Grant } from '../store/types.ts';
import { performance } from '../clock.ts';

export interface SeatHandlersDeps {
  config: Config;
  service: SessionService;
  directory: SessionDirectory;
  limits: Limits;
  streams: ViewerStreams;
  presence: PresenceTracker;
  grants: SocketGrants;
  /** Sockets without a confirmed grant: their per-address count and their hello deadline. */
  anonymous: AnonymousSockets;
  /** Sockets per token (in this process, or with Redis in all): a hello past the cap is refused. */
  tokenSockets: TokenPlaces;
  /** Wraps a spec into a Socket.IO listener that validates, answers and never throws (ack-handler.ts). */
  handle: <S extends z.ZodType, T>(spec: AckHandlerSpec<S, T, RubiconSocket>) => (this: RubiconSocket, ...args: unknown[]) => void;
  /** Tells a session's sockets who is present, after a socket joins or leaves it. */
  announceFor: (sessionId: string) => void;
}

/** Commands that name a message, in the sender's own numbering (viewer-stream.ts). */
function namesMessage(command: Command): boolean {
  return command.type === 'HIDE_MESSAGE' || (command.type === 'SEND_MESSAGE' && command.relayOf !== undefined);
}

function noSuchMessage(): never {
  throw new ServiceError('invalid', 'There is no such message among those you may read.');
}

/**
 * The three events a client sends: hello (take a role with a token), command (act as it) and sync (catch up).
 * Built once and shared by every socket, which comes in as `this` (ack-handler.ts).
 */
export function seatHandlers(deps: SeatHandlersDeps) {
  return { onHello: helloHandler(deps), onCommand: commandHandler(deps), onSync: syncHandler(deps) };
}

/** Every hello refused by an outage or its deadline says this: a hello has no command id, and the client's part is to say hello again. */
export const HELLO_UNAVAILABLE = 'The server could not answer this hello just now; say hello again in a moment.';

/** hello: the token names a role in a session; the socket joins its rooms and gets its view. */
function helloHandler(deps: SeatHandlersDeps) {
  const hello = helloRun(deps);
  return deps.handle({
    event: 'hello',
    schema: HelloPayload,
    run: (p, socket, answer) => {
      hello(p, socket).then(
        (data) => answer.ok(data),
        (err: unknown) => answer.fail(outageWorded(err, HELLO_UNAVAILABLE)),
      );
    },
  });
}

/** The hello itself; helloHandler words its outage refusals. */
function helloRun({ config, service, directory, streams, presence, anonymous, tokenSockets, announceFor }: SeatHandlersDeps) {
  return async (p: z.output<typeof HelloPayload>, socket: RubiconSocket): Promise<HelloData> => {
    const grant = await directory.authenticate(p.token, performance.now() + config.storeTimeoutMs);
    if (grant.sessionId !== p.sessionId) throw new ServiceError('forbidden', 'This token belongs to another session.');
    const tokenKey = hashToken(p.token);
    // With Redis, the token's place is taken across processes first (past the cap: refused, nothing joined).
    const admitting = tokenSockets.admit(socket, tokenKey);
    const admission = admitting instanceof Promise ? await admitting : admitting;
    // Read at the join, not before the wait: a second hello on this socket may have joined meanwhile.
    let joined = false;
    const joining = service.withSession(p.sessionId, (session) => {
      // A socket gone while we waited must not be left behind in a room.
      if (socket.connected) {
        // Past the token's cap this throws, and nothing is joined: the socket keeps what it held.
        tokenSockets.take(socket, tokenKey);
        const previous = socket.data.grant;
        joined = true;
        // One role per socket: a socket that says hello again with another token leaves its old room.
        if (previous) leaveRooms(socket, previous);
        void socket.join([roomFor(grant.sessionId, grant.role), accessRoom(grant.sessionId, grantKey(grant)), sessionRoom(grant.sessionId)]);
        socket.data.grant = grant;
        socket.data.tokenKey = tokenKey;
        socket.data.name = grant.role.kind === 'seat' ? (p.name ?? null) : null;
        presence.announce(grant.sessionId, seatsInPlay(session.game.scenario, session.game.setup));
        if (previous && previous.sessionId !== grant.sessionId) announceFor(previous.sessionId);
      }
      const held = { lastVersion: p.lastVersion, messagesHeld: p.messagesHeld };
      return { ...syncData(session, grant.role, streams, held), role: grant.role, sessionId: grant.sessionId };
    }, performance.now() + config.storeTimeoutMs);
    // Whatever the join did: a place it did not keep is given back (a socket gone meanwhile, a refusal).
    const hello = await (admission ? joining.finally(() => admission.settle()) : joining);
    if (!joined) return hello;
    // A revocation whose drop ran between authenticate's check and the join did not find this socket;
    // checked even when a later hello has joined since (unjoin then leaves that one's rooms alone).
    await directory.confirmJoined(grant).catch((err: unknown) => {
      // A store that did not answer said nothing of a revocation: out of the rooms, but the socket stays to say hello again
      // if it may be anonymous again (AnonymousSockets.lostGrant: its address under the cap, counted in Redis when shared).
      const keep = () => {
        if (socket.connected) anonymous.lostGrant(socket);
      };
      unjoin(socket, grant, { tokenSockets, announceFor }, isOutage(err) ? keep : () => setImmediate(() => socket.disconnect()));
      throw err;
    });
    // Only a confirmed hello makes the socket no longer anonymous: one refused after its join leaves its deadline running.
    if (socket.data.grant === grant) anonymous.granted(socket);
    return hello;
  };
}

function leaveRooms(socket: RubiconSocket, grant: Grant): void {
  void socket.leave(roomFor(grant.sessionId, grant.role));
  void socket.leave(accessRoom(grant.sessionId, grantKey(grant)));
  void socket.leave(sessionRoom(grant.sessionId));
}

/**
 * A hello refused after its socket joined: out of the grant's rooms and without it at once, so nothing more
 * reaches it and it cannot act; then `after`. Its code revoked meanwhile, it is dropped once the refusal is
 * answered (ack-handler answers in this rejection's microtasks), as the revocation drops the sockets it finds;
 * the check cut short by a store outage, it is kept to say hello again under the anonymous sockets' rules
 * (AnonymousSockets.lostGrant), and its place under the token is given back either way.
 */
function unjoin(socket: RubiconSocket, grant: Grant, deps: Pick<SeatHandlersDeps, 'tokenSockets' | 'announceFor'>, after: () => void): void {
  if (socket.data.grant !== grant) return;
  leaveRooms(socket, grant);
  socket.data.grant = null;
  deps.tokenSockets.release(socket);
  deps.announceFor(grant.sessionId);
  after();
}

/**
 * Who acts for a socket's command, and the limit keys it is counted against: each made once and kept, not
 * per command. A named seat's actor once per socket and name (every log entry keeps its actor for good, and
 * one object per command was 56 B of what each message of a named player kept alive); a grant's limit keys
 * on its first command, by the grant, so a socket that says hello again with another token (a new grant) is
 * counted against its new seat and session from its next command.
 */
function commandActors() {
  const named = new WeakMap<RubiconSocket, ActingActor & { kind: 'seat' }>();
  const actorOf = (socket: RubiconSocket, grant: Grant): ActingActor => {
    const name = socket.data.name;
    const { role } = grant;
    if (role.kind !== 'seat' || !name) return actingActor(role);
    const held = named.get(socket);
    if (held?.seat === role.seat && held.name === name) return held;
    const actor = { ...role, name };
    named.set(socket, actor);
    return actor;
  };
  const limitKeys = new WeakMap<Grant, CommandLimitKeys>();
  const limitKeysOf = (grant: Grant): CommandLimitKeys => {
    let keys = limitKeys.get(grant);
    if (!keys) {
      keys = commandLimitKeys(grant.sessionId, grantKey(grant));
      limitKeys.set(grant, keys);
    }
    return keys;
  };
  return { actorOf, limitKeysOf };
}

/** A command's outcome, handed to its sender as its answer in the sender's own stream (answerOf in commandHandler). */
class CommandOutcome implements Answer<Executed> {
  constructor(
    private readonly answerOf: (grant: Grant, result: Executed) => CommandAnswer,
    private readonly grant: Grant,
    private readonly to: Answer<CommandResult>,
  ) {}

  ok(executed: Executed): void {
    let answer: CommandAnswer;
    try {
      answer = this.answerOf(this.grant, executed);
    } catch (err) {
      this.to.fail(err);
      return;
    }
    this.to.ok(answer);
  }

  fail(err: unknown): void {
    this.to.fail(err);
  }
}

/** command: one game or channel command, acted for the socket's own role and answered in its own stream. */
function commandHandler({ config, service, limits, streams, grants, handle }: SeatHandlersDeps) {
  const { actorOf, limitKeysOf } = commandActors();
  /** The command's answer, in the sender's own stream, which this process has followed past the command: right after it, or (a retry) where the stream is now. */
  const answerOf = (grant: Grant, result: Executed): CommandAnswer => {
    const session = service.peek(grant.sessionId);
    if (!session) throw unavailable('The session left this server', 100);
    const state = result.after ?? session.state;
    return new CommandAnswer(streams.position(session.game, state, grant.role).version, result.duplicate, viewerGameVersion(state, grant.role));
  };
  /** To its batch, answered from the batch's decision (right after the batch's updates are broadcast): no promise on its way. */
  const execute = (p: CommandPayload, socket: RubiconSocket, grant: Grant, command: Command, deadline: number, limit: CommandLimit | null, to: Answer<CommandResult>): void => {
    const request: CommandRequest = { actor: actorOf(socket, grant), commandId: p.commandId, expectedGameVersion: p.expectedGameVersion ?? null, command };
    if (limit) request.limit = limit;
    service.executeTo(grant.sessionId, request, deadline, new CommandOutcome(answerOf, grant, to));
  };
  /** A grant still being checked, or a command naming a message (looked up in the session first): awaited in turn, then to its batch. */
  const awaited = async (p: CommandPayload, socket: RubiconSocket, live: Grant | Promise<Grant>, deadline: number, to: Answer<CommandResult>): Promise<void> => {
    const grant = live instanceof Promise ? await live : live;
    const limit = limits.command(limitKeysOf(grant));
    const command = namesMessage(p.command)
      ? await service.withSession(grant.sessionId, (s) => commandFromWire(s.game, s.state, grant.role, p.command) ?? noSuchMessage(), deadline).catch(async (err: unknown) => {
          // Refused before its append, which would have counted it: counted on its own (over the budget, that is the answer).
          await limit?.countAlone();
          throw err;
        })
      : p.command;
    execute(p, socket, grant, command, deadline, limit, to);
  };
  return handle({
    event: 'command',
    schema: CommandPayload,
    parse: parseCommandPayload,
    labelOf: (p) => p.command.type,
    // Nearly every command has its grant at hand and names no message, and goes to its batch with no await or
    // promise of its own; a throw before it is handed on is answered by the ack handler.
    run: (p, socket, to): void => {
      const deadline = performance.now() + config.storeTimeoutMs;
      // Who acts comes from the token this socket said hello with, never from the payload.
      const live = grants.liveGrant(socket, deadline);
      if (live instanceof Promise || namesMessage(p.command)) {
        awaited(p, socket, live, deadline, to).catch((err: unknown) => to.fail(err));
        return;
      }
      // Counted here in memory; with Redis, counted by its append, in the same round trip (limits.ts).
      const limit = limits.command(limitKeysOf(live));
      execute(p, socket, live, p.command, deadline, limit, to);
    },
  });
}

/** sync: what the socket's role missed since the version it holds. */
function syncHandler({ config, service, streams, grants, handle }: SeatHandlersDeps) {
  const sync = async (p: z.output<typeof SyncPayload>, socket: RubiconSocket): Promise<SyncData> => {
    const deadline = performance.now() + config.storeTimeoutMs;
    const live = grants.liveGrant(socket, deadline);
    const grant = live instanceof Promise ? await live : live;
    const held = { lastVersion: p.sinceVersion, messagesHeld: p.messagesHeld };
    return service.withSession(grant.sessionId, (session) => syncData(session, grant.role, streams, held), deadline);
  };
  return handle({
    event: 'sync',
    schema: SyncPayload,
    run: (p, socket, answer) => answerWhenSettled(sync(p, socket), answer),
  });
}

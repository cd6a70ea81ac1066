import type { Socket } from 'socket.io';
import type { WireError } from '@rubicon/shared';
import { waitInWords } from '../limits/limits.ts';
import type { Verdict } from '../limits/rate-limit.ts';
import type { Metrics } from '../metrics.ts';
import { refuseEvent, type ArgsHandler } from './ack-handler.ts';
import { oversizedField } from './oversize.ts';

/** The only events a client may send (docs/protocol.md); `eventGuard` takes exactly one handler for each. */
export const CLIENT_EVENTS = ['hello', 'command', 'sync'] as const;
export type ClientEvent = (typeof CLIENT_EVENTS)[number];
const KNOWN_EVENTS: ReadonlySet<unknown> = new Set<unknown>(CLIENT_EVENTS);

/** A socket event's listener, called by the socket (as `this`) with the client's arguments, the ack last. */
export type EventListener<S> = (this: S, ...args: unknown[]) => void;

/** The counts the guard takes (Limits has them). */
export interface GuardLimits {
  socket: { take(key: string): Promise<Verdict> };
  helloPerAddress: { take(key: string): Promise<Verdict> };
}

/** What the guard needs of a socket: its id, whether it is still open, and its listeners. */
export type GuardedSocket = Pick<Socket, 'id' | 'connected' | 'on' | 'onAny'>;

export interface EventGuardDeps<S extends GuardedSocket> {
  limits: GuardLimits;
  metrics: Metrics;
  /** The client's address (TRUST_PROXY applied), for the per-address count of hello and sync; null for the process's own bots. */
  addressOf: (socket: S) => string | null;
}

type Refusal = WireError & { code: 'rate_limited' | 'unknown_event' | 'too_large' };
type Admission = Refusal | null | Promise<Refusal | null>;

/** Every listener the guard puts on a socket, so that a test can tell that no other one is reachable. */
const guardListeners = new WeakSet<object>();

/** Whether a listener is one the guard put on a socket (every one a client's event can reach must be). */
export function isGuardListener(listener: unknown): boolean {
  return typeof listener === 'object' || typeof listener === 'function' ? listener !== null && guardListeners.has(listener) : false;
}

function limited(message: string, retryAfterMs: number): Refusal {
  return { code: 'rate_limited', message, retryAfterMs };
}

/**
 * Whether an event may go on to its handler now, or why not: the one rule, for
 * every event a client sends, known or not, checked before any handler runs.
 *
 * - Every event but `command` counts against the socket's own limit (hello,
 *   sync, and anything unknown); commands are counted per seat and per
 *   session once the handler knows who sends them.
 * - An event the server does not know is refused with `unknown_event`.
 * - `hello` and `sync` also count against the client's address, on every
 *   socket and (with Redis) every process.
 * - A command whose free text is over its limit is refused with `too_large`
 *   before it is parsed, so the person is told exactly that.
 *
 * A command, nearly every event, is decided at once, without a promise.
 */
function admit<S extends GuardedSocket>(deps: EventGuardDeps<S>, socket: S, name: unknown, payload: unknown): Admission {
  if (name === 'command') {
    const field = oversizedField(payload);
    return field ? { code: 'too_large', message: `Too long: ${field}.` } : null;
  }
  return admitCounted(deps, socket, name);
}

async function admitCounted<S extends GuardedSocket>(deps: EventGuardDeps<S>, socket: S, name: unknown): Promise<Refusal | null> {
  const { limits } = deps;
  const own = await limits.socket.take(socket.id);
  if (!own.allowed) return limited(`Too many requests on this connection; wait ${waitInWords(own.retryAfterMs)}.`, own.retryAfterMs);
  if (!KNOWN_EVENTS.has(name)) return { code: 'unknown_event', message: `There is no "${String(name).slice(0, 40)}" event; a client sends hello, command and sync.` };
  // hello and sync each answer with a whole view and as many messages as asked (a full one, of a long game,
  // is milliseconds of CPU and hundreds of KB): per socket alone, many sockets of one token would multiply it.
  const address = name === 'hello' || name === 'sync' ? deps.addressOf(socket) : null;
  if (address !== null) {
    const fromAddress = await limits.helloPerAddress.take(address);
    if (!fromAddress.allowed) return limited(`Too many requests from this address; wait ${waitInWords(fromAddress.retryAfterMs)}.`, fromAddress.retryAfterMs);
  }
  return null;
}

/** A known event's handler behind `admit`: the handler runs only if admitted, and only on a socket still open. */
function guarded<S extends GuardedSocket>(deps: EventGuardDeps<S>, name: ClientEvent, handler: ArgsHandler<S>): EventListener<S> {
  const { metrics } = deps;
  const listener = function (this: S, ...args: unknown[]): void {
    const admission = admit(deps, this, name, args[0]);
    if (admission === null) return handler.call(this, args);
    if (!(admission instanceof Promise)) return refuseEvent(args, metrics, admission);
    void admission.then((refusal) => {
      if (refusal) refuseEvent(args, metrics, refusal);
      // Socket.IO checks that the socket is open before it calls a listener; the counts may have taken a while since.
      else if (this.connected) handler.call(this, args);
    });
  };
  guardListeners.add(listener);
  return listener;
}

/**
 * Answers every event no handler is registered for: Socket.IO calls it first
 * for every event, so a known one returns at once (its own listener is
 * `guarded`).
 */
function unknownEvents<S extends GuardedSocket>(deps: EventGuardDeps<S>): (this: S, name: unknown, ...args: unknown[]) => void {
  // An unknown event still goes on to the socket's emitter, where nothing listens to it; one named `error`
  // finds the no-op listener Socket.IO puts on every socket so that such an event does not throw.
  // The rest parameter costs a known event nothing: V8 makes it only on the branch that reads it (Node 20 and
  // 24 alike), where `apply(this, arguments)` made an arguments object for every event on Node 24.
  const listener = function (this: S, name: unknown, ...args: unknown[]): void {
    if (KNOWN_EVENTS.has(name)) return;
    const admission = admit(deps, this, name, args[0]);
    if (admission instanceof Promise) void admission.then((refusal) => refusal && refuseEvent(args, deps.metrics, refusal));
    else if (admission) refuseEvent(args, deps.metrics, admission);
  };
  guardListeners.add(listener);
  return listener;
}

/**
 * The socket events' guard, in place of Socket.IO's per-event middleware
 * (`socket.use`, which copies its list and makes two closures for every
 * event): each known event's handler is registered behind `admit`, and every
 * other event is answered by one listener through the same `admit`, so
 * nothing reaches a handler that `admit` refuses, in the same order of checks.
 * The listeners are made once, for every socket.
 */
export function eventGuard<S extends GuardedSocket>(deps: EventGuardDeps<S>, handlers: Record<ClientEvent, ArgsHandler<S>>): (socket: S) => void {
  const listeners = CLIENT_EVENTS.map((name) => [name, guarded(deps, name, handlers[name])] as const);
  const unknown = unknownEvents(deps);
  return (socket) => {
    for (const [name, listener] of listeners) socket.on(name, listener);
    socket.onAny(unknown);
  };
}

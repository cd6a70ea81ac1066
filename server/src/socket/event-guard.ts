import type { Event } from 'socket.io';
import { waitInWords, type Limits } from '../limits/limits.ts';
import type { Metrics } from '../metrics.ts';
import { refuseEvent } from './ack-handler.ts';
import { oversizedField } from './oversize.ts';

/** The only events a client may send (docs/protocol.md). */
const KNOWN_EVENTS = new Set(['hello', 'command', 'sync']);

export interface EventGuardDeps {
  limits: Limits;
  metrics: Metrics;
  /** This socket's id, for its own count. */
  socketId: string;
  /** The client's address (TRUST_PROXY applied), for the per-address count of hello and sync; null for the process's own bots. */
  address: string | null;
}

/**
 * Socket middleware: runs before any handler, for every event a client sends,
 * and answers what it refuses with a typed acknowledgement.
 *
 * - Every event but `command` counts against the socket's own limit (hello,
 *   sync, and anything unknown); commands are counted per seat and per
 *   session once the handler knows who sends them.
 * - An event the server does not know is refused with `unknown_event`.
 * - `hello` and `sync` also count against the client's address, on every
 *   socket and (with Redis) every process.
 * - A command whose free text is over its limit is refused with `too_large`
 *   before it is parsed, so the person is told exactly that.
 */
export function eventGuard(deps: EventGuardDeps): (event: Event, next: (err?: Error) => void) => void {
  const { limits, metrics, socketId, address } = deps;
  return (event, next) => {
    // A command, nearly every event, goes on without the copy of its arguments and the closure the rest need.
    if (event[0] === 'command') {
      const field = oversizedField(event[1]);
      if (field) refuseEvent(event.slice(1), metrics, { code: 'too_large', message: `Too long: ${field}.` });
      else next();
      return;
    }
    const [name, ...args] = event;
    const refuse = (code: 'rate_limited' | 'unknown_event', message: string, retryAfterMs?: number) =>
      refuseEvent(args, metrics, { code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    void (async () => {
      const own = await limits.socket.take(socketId);
      if (!own.allowed) return refuse('rate_limited', `Too many requests on this connection; wait ${waitInWords(own.retryAfterMs)}.`, own.retryAfterMs);
      if (!KNOWN_EVENTS.has(name)) return refuse('unknown_event', `There is no "${String(name).slice(0, 40)}" event; a client sends hello, command and sync.`);
      // hello and sync each answer with a whole view and as many messages as asked (a full one, of a long game,
      // is milliseconds of CPU and hundreds of KB): per socket alone, many sockets of one token would multiply it.
      if ((name === 'hello' || name === 'sync') && address !== null) {
        const fromAddress = await limits.helloPerAddress.take(address);
        if (!fromAddress.allowed)
          return refuse('rate_limited', `Too many requests from this address; wait ${waitInWords(fromAddress.retryAfterMs)}.`, fromAddress.retryAfterMs);
      }
      next();
    })();
  };
}

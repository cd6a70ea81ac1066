import type { z } from 'zod';
import type { Ack, WireError } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { asServiceError, invalidPayload } from '../session/service-error.ts';

type Reply<T> = (r: Ack<T>) => void;

/**
 * The acknowledgement callback of a socket event, if the client asked for one:
 * Socket.IO passes it as the last argument, and nothing else a client sends
 * can be a function.
 */
export function ackOf<T>(args: readonly unknown[]): Reply<T> | null {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Reply<T>) : null;
}

/** Answers an event; an event sent without an acknowledgement is simply not answered. */
export function reply<T>(ack: Reply<T> | null, result: Ack<T>): void {
  try {
    ack?.(result);
  } catch {
    // Socket.IO's ack callbacks only write a packet; one that throws is a closed socket, and the outcome stands.
  }
}

/** Refuses an event before any handler sees it, counting the refusal. */
export function refuseEvent(args: readonly unknown[], metrics: Metrics, error: WireError): void {
  metrics.refusals.inc({ code: error.code });
  reply(ackOf(args), { ok: false, error });
}

export interface AckHandlerSpec<S extends z.ZodType, T, C> {
  event: 'hello' | 'command' | 'sync';
  schema: S;
  /** The schema's safeParse, or a faster parse that gives its verdicts and output (command-payload-fast.ts in shared). */
  parse?: (payload: unknown) => z.ZodSafeParseResult<z.output<S>>;
  /** `on` is the socket the event came in on. */
  run: (payload: z.output<S>, on: C) => Promise<T>;
  /** The metric label; for commands their type, known only once validated, so clients cannot mint metric series. */
  labelOf?: (payload: z.output<S>) => string;
}

/**
 * Wraps a socket event handler: finds the acknowledgement (a client may leave
 * it or the payload out), validates the payload, and answers every outcome
 * with an `Ack`: the result, a ServiceError's typed refusal, or `internal`
 * for anything unexpected (which is logged). Nothing a client sends can make
 * it throw.
 *
 * One handler serves every socket: it is a plain function, and an event
 * emitter calls its listeners with the emitter (here the socket) as `this`.
 * Handlers built per socket cost about 2.3 KB per socket in closures
 * (docs/performance.md, memory per idle session).
 */
export function ackHandler<S extends z.ZodType, T, C>(
  deps: { log: Logger; metrics: Metrics },
  spec: AckHandlerSpec<S, T, C>,
): (this: C, ...args: unknown[]) => void {
  const { log, metrics } = deps;
  const { event, schema, run, labelOf } = spec;
  const parse = spec.parse ?? ((payload: unknown) => schema.safeParse(payload));
  /** Answers and counts one event: a plain function, not a closure made for every event. */
  const finish = (ack: Reply<T> | null, label: string, started: number, result: Ack<T>) => {
    metrics.commandLatency.observe(label, result.ok ? 'ok' : result.error.code, (performance.now() - started) / 1000);
    if (!result.ok) metrics.refusals.inc({ code: result.error.code });
    reply(ack, result);
  };
  /** Answers a refusal (a ServiceError's, typed) or, for anything unexpected, `internal`, which is logged. */
  const fail = (ack: Reply<T> | null, label: string, started: number, err: unknown) => {
    const refusal = asServiceError(err);
    if (refusal) return finish(ack, label, started, { ok: false, error: refusal.toWire() });
    log.error({ err, event }, 'a socket handler failed');
    finish(ack, label, started, { ok: false, error: { code: 'internal', message: 'Something went wrong on the server; try again.' } });
  };
  /**
   * Runs one event. Not an async function around `run`'s own: `run` is already the
   * event's one promise, and its answer is taken from it directly (one promise and
   * one suspended frame fewer per event, every command passing through here).
   */
  function handle(this: C, ack: Reply<T> | null, payload: unknown, started: number): void {
    let label: string = event;
    try {
      const parsed = parse(payload);
      if (!parsed.success) throw invalidPayload(parsed.error);
      const data = parsed.data;
      if (labelOf) label = labelOf(data);
      run(data, this).then(
        (result) => {
          try {
            finish(ack, label, started, { ok: true, data: result });
          } catch (err) {
            fail(ack, label, started, err);
          }
        },
        (err: unknown) => fail(ack, label, started, err),
      );
    } catch (err) {
      fail(ack, label, started, err);
    }
  }
  return function (this: C, ...args: unknown[]) {
    handle.call(this, ackOf<T>(args), typeof args[0] === 'function' ? undefined : args[0], performance.now());
  };
}

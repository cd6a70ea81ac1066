import type { z } from 'zod';
import type { Ack, WireError } from '@rubicon/shared';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Answer } from '../session/answer.ts';
import { asServiceError, invalidPayload } from '../session/service-error.ts';
import { performance } from '../clock.ts';

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
  /**
   * Runs the event for the socket it came in on (`on`), its outcome handed to `answer` (answerWhenSettled, for a
   * promise of it). A throw is answered as a failure, so nothing may throw once `answer` has been handed on.
   */
  run: (payload: z.output<S>, on: C, answer: Answer<T>) => void;
  /** The metric label; for commands their type, known only once validated, so clients cannot mint metric series. */
  labelOf?: (payload: z.output<S>) => string;
}

/** What an event's answer needs of its handler: one per handler, shared by all its events. */
interface Answering {
  readonly event: string;
  readonly log: Logger;
  readonly metrics: Metrics;
}

/**
 * One event's answer, counted: the result, a ServiceError's typed refusal, or `internal` for anything unexpected
 * (which is logged). One object per event, called where the outcome is known (for a command, in its batch's
 * decision), where a promise's reactions took two closures, their context, a promise and two microtask turns.
 */
class EventAnswer<T> implements Answer<T> {
  constructor(
    private readonly handler: Answering,
    private readonly ack: Reply<T> | null,
    /** The event's name until its payload is validated, then labelOf's (AckHandlerSpec.labelOf). */
    public label: string,
    private readonly started: number,
  ) {}

  ok(value: T): void {
    try {
      this.finish({ ok: true, data: value });
    } catch (err) {
      this.fail(err);
    }
  }

  fail(err: unknown): void {
    const refusal = asServiceError(err);
    if (refusal) return this.finish({ ok: false, error: refusal.toWire() });
    this.handler.log.error({ err, event: this.handler.event }, 'a socket handler failed');
    this.finish({ ok: false, error: { code: 'internal', message: 'Something went wrong on the server; try again.' } });
  }

  private finish(result: Ack<T>): void {
    const { metrics } = this.handler;
    metrics.commandLatency.observe(this.label, result.ok ? 'ok' : result.error.code, (performance.now() - this.started) / 1000);
    if (!result.ok) metrics.refusals.inc({ code: result.error.code });
    reply(this.ack, result);
  }
}

/**
 * Wraps a socket event handler: finds the acknowledgement (a client may leave
 * it or the payload out), validates the payload, and answers every outcome
 * with an `Ack` (EventAnswer). Nothing a client sends can make it throw.
 *
 * One handler serves every socket: it is a plain function, and an event
 * emitter calls its listeners with the emitter (here the socket) as `this`.
 * Handlers built per socket cost about 2.3 KB per socket in closures
 * (docs/performance/fan-out-log.md, "Memory per idle session: what a session
 * holds").
 */
export function ackHandler<S extends z.ZodType, T, C>(
  deps: { log: Logger; metrics: Metrics },
  spec: AckHandlerSpec<S, T, C>,
): (this: C, ...args: unknown[]) => void {
  const { event, schema, run, labelOf } = spec;
  const answering: Answering = { event, log: deps.log, metrics: deps.metrics };
  const parse = spec.parse ?? ((payload: unknown) => schema.safeParse(payload));
  function handle(this: C, answer: EventAnswer<T>, payload: unknown): void {
    try {
      const parsed = parse(payload);
      if (!parsed.success) throw invalidPayload(parsed.error);
      const data = parsed.data;
      if (labelOf) answer.label = labelOf(data);
      run(data, this, answer);
    } catch (err) {
      answer.fail(err);
    }
  }
  return function (this: C, ...args: unknown[]) {
    handle.call(this, new EventAnswer<T>(answering, ackOf<T>(args), event, performance.now()), typeof args[0] === 'function' ? undefined : args[0]);
  };
}

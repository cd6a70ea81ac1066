import type { Event } from 'socket.io';
import type { Ack } from '@rubicon/shared';
import type { Metrics } from '../metrics.ts';
import type { Clock } from '../store/types.ts';
import { oversizedField } from './oversize.ts';
import type { TokenBucket } from './token-bucket.ts';

/**
 * Socket middleware for `command` events: the per-socket rate limit and the
 * free-text size check, answered with a clear error before any parsing or
 * storage work is spent on the command.
 */
export function commandGuard(bucket: TokenBucket, clock: Clock, metrics: Metrics): (event: Event, next: (err?: Error) => void) => void {
  return ([name, ...args], next) => {
    if (name !== 'command') return next();
    const last: unknown = args[args.length - 1];
    const reply = typeof last === 'function' ? (last as (r: Ack<never>) => void) : null;
    const refuse = (code: 'rate_limited' | 'too_large', message: string) => {
      metrics.refusals.inc({ code });
      try {
        reply?.({ ok: false, error: { code, message } });
      } catch {
        // A broken ack is the client's problem; the refusal stands.
      }
    };
    if (!bucket.take(clock.now())) return refuse('rate_limited', 'Too many commands; wait a moment and try again.');
    const field = oversizedField(args[0]);
    if (field) return refuse('too_large', `Too long: ${field}.`);
    next();
  };
}

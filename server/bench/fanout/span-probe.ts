/**
 * Where a command's time goes inside a Rubicon benchmark server, for the
 * tail's breakdown (FANOUT_SPANS=1 only: the wrappers cost a little CPU).
 * Wraps, in this process alone, the steps of the command path that wait:
 * the limits' count in Redis (from the check to its verdict, the wait for
 * the end of the turn included), the append's round trip, a command's whole
 * time in the session service (its queue, the append, the apply), and a
 * catch-up on another process's notice. Nothing of the app changes but that
 * each of these is timed.
 */
import { LimitChain } from '../../src/limits/limit-chain.ts';
import { SessionService } from '../../src/session/session-service.ts';
import { RedisStore } from '../../src/store/redis-store.ts';
import { quantile } from '../stats.ts';
import type { SpanSummary } from './types.ts';

type AnyFn = (...args: unknown[]) => unknown;

export class SpanProbe {
  private readonly samples = new Map<string, number[]>();
  private recording = false;

  /** Times every call of `method` on `proto` that answers with a promise, from the call to its settling. */
  wrap(name: string, proto: object, method: string): void {
    const original = (proto as Record<string, AnyFn>)[method];
    if (typeof original !== 'function') throw new Error(`span probe: no method ${method} to time`);
    const record = (ms: number) => {
      if (this.recording) (this.samples.get(name) ?? this.samples.set(name, []).get(name))?.push(ms);
    };
    (proto as Record<string, AnyFn>)[method] = function (this: unknown, ...args: unknown[]): unknown {
      const t0 = performance.now();
      const result = original.apply(this, args);
      if (result instanceof Promise) {
        const done = () => record(performance.now() - t0);
        result.then(done, done);
      }
      return result;
    };
  }

  start(): void {
    this.samples.clear();
    this.recording = true;
  }

  stop(): Record<string, SpanSummary> {
    this.recording = false;
    const out: Record<string, SpanSummary> = {};
    for (const [name, ms] of this.samples) out[name] = { n: ms.length, p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), max: ms.reduce((a, b) => Math.max(a, b), 0) };
    return out;
  }
}

/** The command path's waits, timed (see above). */
export function commandPathProbe(): SpanProbe {
  const probe = new SpanProbe();
  probe.wrap('limit check', LimitChain.prototype, 'take');
  probe.wrap('append round trip', RedisStore.prototype, 'appendBatch');
  probe.wrap('command in the service', SessionService.prototype, 'execute');
  probe.wrap('catch-up on a notice', SessionService.prototype, 'refresh');
  probe.wrap('log poll heads', RedisStore.prototype, 'heads');
  return probe;
}

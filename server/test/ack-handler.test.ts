import { describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import type { Ack } from '@rubicon/shared';
import { answerWhenSettled } from '../src/session/answer.ts';
import { ackHandler } from '../src/socket/ack-handler.ts';
import { createMetrics } from '../src/metrics.ts';
import { ServiceError } from '../src/session/service-error.ts';

const Payload = z.object({ n: z.number() });

/** A handler around `run`, and a way to send it one event and get its acknowledgement. */
function handlerFor(run: (p: { n: number }) => Promise<number>) {
  const logger = pino({ level: 'silent' });
  const logged = vi.spyOn(logger, 'error');
  const metrics = createMetrics();
  const handler = ackHandler<typeof Payload, number, object>({ log: logger, metrics }, { event: 'command', schema: Payload, run: (p, _on, answer) => answerWhenSettled(run(p), answer) });
  const send = (payload: unknown): Promise<Ack<number>> => new Promise((resolve) => handler.call({}, payload, resolve));
  return { send, logged, metrics };
}

describe('ackHandler', () => {
  it("answers with run's result, and refuses an invalid payload without running", async () => {
    const run = vi.fn((p: { n: number }) => Promise.resolve(p.n * 2));
    const { send } = handlerFor(run);
    expect(await send({ n: 21 })).toEqual({ ok: true, data: 42 });
    const refused = await send({ n: 'x' });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error.code).toBe('invalid');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("answers a ServiceError's refusal typed, and counts it", async () => {
    const { send, logged, metrics } = handlerFor(() => Promise.reject(new ServiceError('unavailable', 'later', { retryAfterMs: 100 })));
    const answer = await send({ n: 1 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'unavailable', message: 'later', retryAfterMs: 100 } });
    expect(logged).not.toHaveBeenCalled();
    expect((await metrics.refusals.get()).values.find((v) => v.labels.code === 'unavailable')?.value).toBe(1);
  });

  it('answers anything unexpected, rejected or thrown before any promise, as internal and logs it', async () => {
    const rejecting = handlerFor(() => Promise.reject(new Error('boom')));
    expect(await rejecting.send({ n: 1 })).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(rejecting.logged).toHaveBeenCalledTimes(1);
    const throwing = handlerFor(() => {
      throw new Error('sync boom');
    });
    expect(await throwing.send({ n: 1 })).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(throwing.logged).toHaveBeenCalledTimes(1);
  });
});

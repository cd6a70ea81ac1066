/**
 * A command's limits in one process (no Redis), as `Limits.command` counts
 * them: each seat of each session against its own budget, then its session
 * against the session's. Each seat's keys are made once and reused, so these
 * check that reuse never counts one seat or session against another's budget.
 */
import { describe, expect, it } from 'vitest';
import { Limits, type LimitsConfig } from '../src/limits/limits.ts';

const rate = (burst: number) => ({ burst, perSecond: burst / 60 });

function limits(seat: number, session: number): Limits {
  const config: LimitsConfig = {
    seat: rate(seat),
    session: rate(session),
    socket: rate(100),
    helloPerAddress: rate(100),
    httpPerAddress: rate(100),
    publicPerAddress: rate(100),
    joinFailures: { points: 100, windowSeconds: 60 },
    importBytes: { points: 100, windowSeconds: 60 },
  };
  return new Limits(config, { redis: null, prefix: 'test:', timeoutMs: 100 });
}

/** The refusal's code and whose budget it names, or 'allowed'. */
function verdict(l: Limits, sessionId: string, key: string): string {
  try {
    l.command(sessionId, key);
    return 'allowed';
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return `${code}: ${message.includes('this seat') ? 'seat' : 'session'}`;
  }
}

describe('Limits.command in memory', () => {
  it("counts each seat of each session against its own budget, and the session's seats together", () => {
    const l = limits(2, 3);
    expect([verdict(l, 's1', 'red'), verdict(l, 's1', 'red'), verdict(l, 's1', 'red')]).toEqual(['allowed', 'allowed', 'rate_limited: seat']);
    // The same seat in another session, and another seat of the first: budgets of their own.
    expect([verdict(l, 's2', 'red'), verdict(l, 's2', 'red')]).toEqual(['allowed', 'allowed']);
    // A seat refused spends none of its session's budget: the third of s1 is blue's.
    expect([verdict(l, 's1', 'blue'), verdict(l, 's1', 'blue')]).toEqual(['allowed', 'rate_limited: session']);
    expect([verdict(l, 's2', 'blue'), verdict(l, 's2', 'blue')]).toEqual(['allowed', 'rate_limited: session']);
    // Key text that would run together if the session and the seat were not kept apart.
    expect([verdict(l, 's1:r', 'ed'), verdict(l, 's1:r', 'ed')]).toEqual(['allowed', 'allowed']);
  });

  it('keeps counting a seat where it was after the keys of thousands of other sessions were made', () => {
    const l = limits(2, 1000);
    expect([verdict(l, 'kept', 'red'), verdict(l, 'kept', 'red')]).toEqual(['allowed', 'allowed']);
    for (let i = 0; i < 5000; i++) expect(verdict(l, `other-${i}`, 'red')).toBe('allowed');
    expect(verdict(l, 'kept', 'red')).toBe('rate_limited: seat');
    expect(verdict(l, 'kept', 'blue')).toBe('allowed');
  });
});

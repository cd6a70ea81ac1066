/**
 * CompactLog freezes an entry's actor and command the first time a read hands them out, and never again:
 * a read that starts past the frozen prefix (a reconnect's catch-up) freezes its tail once, and a second
 * read of that tail, or a read from the start, walks none of it again.
 */
import { describe, expect, it, vi } from 'vitest';
import type * as Shared from '@rubicon/shared';
import type { LogEntry } from '@rubicon/shared';

const frozen = vi.hoisted(() => ({ calls: 0 }));
vi.mock('@rubicon/shared', async (importOriginal) => {
  const shared = await importOriginal<typeof Shared>();
  return { ...shared, deepFreeze: <T>(x: T): T => { frozen.calls++; return shared.deepFreeze(x); } };
});

const { CompactLog } = await import('../src/store/compact-log.ts');

function entry(seq: number): LogEntry {
  return { seq, at: 1_000 * seq, by: { kind: 'seat', seat: 'iran' }, commandId: `c${seq}`, command: { type: 'SEND_MESSAGE', channel: 'public', text: `m${seq}` } };
}

/** deepFreeze's top-level calls while `read` runs (one per newly frozen entry: its actor; a plain message's command is made frozen at each read). */
function freezesDuring(read: () => unknown): number {
  const before = frozen.calls;
  read();
  return frozen.calls - before;
}

describe('CompactLog freezing', () => {
  it('freezes a tail read past the frozen prefix once: a second read of it, and a read from the start, freeze only what is new', () => {
    const log = new CompactLog();
    // Past the first capacity (16), so the per-entry marks survive a growth.
    for (let seq = 1; seq <= 40; seq++) log.push(entry(seq));
    const first = freezesDuring(() => log.slice(30));
    expect(first).toBeGreaterThanOrEqual(10);
    expect(Object.isFrozen(log.slice(30)[0]?.command)).toBe(true);
    expect(freezesDuring(() => log.slice(30))).toBe(0);
    expect(freezesDuring(() => log.slice(35))).toBe(0);
    // From the start: only the 30 entries below the tail are new.
    const whole = freezesDuring(() => log.slice(0));
    expect(whole).toBe((first / 10) * 30);
    expect(freezesDuring(() => log.slice(0))).toBe(0);
    for (let seq = 41; seq <= 45; seq++) log.push(entry(seq));
    expect(freezesDuring(() => log.slice(30))).toBe((first / 10) * 5);
  });
});

/**
 * What the store tests write: sessions, log entries and snapshots with fresh
 * ids, and text that survives a round trip only if the store keeps it exactly
 * (quotes, guillemets, a tick, a newline).
 */
import type { LogEntry, PersistedGame } from '@rubicon/shared';
import { nanoid } from 'nanoid';
import type { SessionMeta } from '../src/store/types.ts';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sessionId(): string {
  return `session-${nanoid(10)}`;
}

export function sessionMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  const id = sessionId();
  return {
    sessionId: id,
    title: `Crisis ${id} — «Rubicon» ✓ "quoted"\n`,
    scenarioId: 'april-2024',
    setup: { scenarioId: 'april-2024', seed: 'seed-1', timerScale: 1, timerSeconds: { planning: 300 }, review: true, optionalSeats: [] },
    createdAt: 1_700_000_000_000,
    facilitatorTokenHash: 'f'.repeat(64),
    codes: [
      { role: { kind: 'seat', seat: 'iran' }, code: `K${nanoid(7)}` },
      { role: { kind: 'seat', seat: 'israel' }, code: `K${nanoid(7)}` },
      { role: { kind: 'observer' }, code: `K${nanoid(7)}` },
    ],
    ...overrides,
  };
}

export function entry(seq: number): LogEntry {
  return {
    seq,
    at: 1_700_000_000_000 + seq,
    by: seq % 2 === 0 ? { kind: 'seat', seat: 'iran' } : { kind: 'facilitator' },
    commandId: `cmd-${nanoid(12)}`,
    command:
      seq % 2 === 0
        ? { type: 'SUBMIT_MOVE', move: 'signal-restraint', rationale: `because ${seq} — «quoted» ✓`, lock: seq % 4 === 0 }
        : { type: 'ADVANCE' },
  };
}

export function snapshot(version: number): PersistedGame {
  // The store treats a snapshot as opaque JSON; its real shape comes from the
  // turn machine, which these tests need not build.
  return {
    scenarioId: 'april-2024',
    scenarioVersion: 1,
    machineVersion: 1,
    version,
    turn: { value: { planning: 'open' }, context: { beat: 'b1', seats: { iran: { trust: 50 } }, log: [1, 2, null] }, status: 'active' },
    messages: [{ id: 'm1', seq: 2, at: 5, channel: 'public', from: 'iran', text: 'hello', audience: ['iran', 'israel'], to: null, relayOf: null }],
  } as unknown as PersistedGame;
}

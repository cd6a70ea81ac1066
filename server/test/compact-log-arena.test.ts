/**
 * CompactLog keeps command ids as bytes (IdArena) and a plain message's
 * command as its text and channel, and makes them again when read: every
 * entry must read back as it was handed in, key for key and in the same
 * order, whatever its command or id, and nothing a read hands out may change
 * what is stored.
 */
import { describe, expect, it } from 'vitest';
import type { Actor, Command, LogEntry } from '@rubicon/shared';
import { CompactLog } from '../src/store/compact-log.ts';
import { IdArena } from '../src/store/id-arena.ts';

const SEAT: Actor = { kind: 'seat', seat: 'iran' };

/** Commands the log keeps whole and those it makes again, with ids ASCII and not. */
function entries(): LogEntry[] {
  const commands: Command[] = [
    { type: 'SEND_MESSAGE', channel: 'public', text: 'plain' },
    { type: 'SEND_MESSAGE', channel: 'iran-team', text: 'another channel' },
    { type: 'SEND_MESSAGE', channel: 'public', text: 'addressed', to: 'us' },
    { type: 'SEND_MESSAGE', channel: 'public', text: 'relayed', relayOf: 'm2' },
    { type: 'SEND_MESSAGE', channel: 'iran-team', text: 'note', toWhiteCell: true },
    { type: 'START' },
    { type: 'SEND_MESSAGE', channel: 'public', text: 'back to public' },
  ];
  // Keys out of the schema's order: kept whole, so the order survives.
  commands.push({ text: 'out of order', channel: 'public', type: 'SEND_MESSAGE' } as Command);
  const ids = ['ascii-id-0001', 'é-non-ascii', 'x', 'a'.repeat(64), '😀 surrogates \ud800', 'ascii-id-0002', 'ascii-id-0003', 'ascii-id-0004'];
  return commands.map((command, i) => ({ seq: i + 1, at: 1_764_900_000_000 + i, by: SEAT, commandId: ids[i] as string, command }));
}

describe('CompactLog: ids and plain commands kept compactly', () => {
  it('reads every entry back as appended, key for key in order, and finds every id', () => {
    const log = new CompactLog();
    const given = entries();
    for (const e of given) log.push(e);
    expect(log.slice(0).map((e) => JSON.stringify(e))).toEqual(given.map((e) => JSON.stringify(e)));
    expect(log.slice(0).map((e) => Object.keys(e.command))).toEqual(given.map((e) => Object.keys(e.command)));
    given.forEach((e, i) => expect(log.index.get(e.commandId)).toBe(i + 1));
    expect(log.index.get('ascii-id-000')).toBeUndefined();
    expect(log.index.get('é-non-ascii ')).toBeUndefined();
  });

  it('hands out frozen commands, made again at each read for a plain message', () => {
    const log = new CompactLog();
    for (const e of entries()) log.push(e);
    const [first, second] = [log.slice(0), log.slice(0)];
    for (const e of first) expect(Object.isFrozen(e.command)).toBe(true);
    expect(() => {
      (first[0]?.command as { text: string }).text = 'changed';
    }).toThrow();
    expect(second[0]?.command).toEqual({ type: 'SEND_MESSAGE', channel: 'public', text: 'plain' });
    // A command kept whole is the stored object itself, as before.
    expect(first[2]?.command).toBe(second[2]?.command);
  });

  it('keeps thousands of ids through the arena\'s growths', () => {
    const arena = new IdArena();
    const ids = Array.from({ length: 5000 }, (_, i) => (i % 11 === 0 ? `ü-${i}` : `cmd-${i}-${'y'.repeat(i % 60)}`));
    for (const id of ids) arena.push(id);
    expect(ids.every((id, i) => arena.at(i) === id && arena.equals(i, id))).toBe(true);
    expect(arena.equals(3, ids[4] as string)).toBe(false);
    expect(arena.at(5000)).toBeUndefined();
    expect(arena.equals(-1, 'x')).toBe(false);
  });
});

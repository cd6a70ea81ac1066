/**
 * A recovering socket's place under its token (TokenSockets.reserve, taken before Socket.IO builds the socket):
 * counted against the cap while it waits, claimed by the socket of that id, and given back if no socket comes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenSockets } from '../src/socket/token-sockets.ts';
import type { RubiconSocket } from '../src/socket/types.ts';

const socketWith = (id: string) => ({ id }) as unknown as RubiconSocket;

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenSockets reservations', () => {
  it('count against the cap, are claimed by their socket only, and go back unclaimed after reserveMs', () => {
    vi.useFakeTimers();
    const lapsed = vi.fn();
    const places = new TokenSockets(1, 500, 1000);
    expect(places.reserve('a', 'token', lapsed)).toBe(true);
    expect(places.reserve('b', 'token')).toBe(false);
    expect(() => places.take(socketWith('c'), 'token')).toThrow(/1 tabs/);
    expect(places.claim(socketWith('b'), 'token')).toBe(false);
    const a = socketWith('a');
    expect(places.claim(a, 'token')).toBe(true);
    expect(places.heldBy('token')).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(lapsed).not.toHaveBeenCalled();
    places.release(a);

    expect(places.reserve('d', 'token', lapsed)).toBe(true);
    vi.advanceTimersByTime(999);
    expect(places.reserve('e', 'token')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(lapsed).toHaveBeenCalledTimes(1);
    expect(places.claim(socketWith('d'), 'token')).toBe(false);
    expect(places.reserve('e', 'token')).toBe(true);
  });
});

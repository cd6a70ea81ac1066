import type { SessionStore } from '../src/store/types.ts';
import { StoreUnavailableError } from '../src/store/redis-availability.ts';
import type { TestServer } from './harness.ts';

/** The store's reads by one key (a token hash, a session id) that the race tests hold. */
type KeyedRead = 'resolveToken' | 'accessChanges';

/**
 * Runs `act` with `between` (another request) landing after the store's first `method` read that `when`
 * accepts and before the caller goes on with what it read: two requests' store steps interleaved as two
 * processes on Redis may interleave them, made certain. Resolves with both answers.
 */
export async function landBetween<M extends KeyedRead, T, U>(
  store: SessionStore,
  method: M,
  when: (key: string, read: Awaited<ReturnType<SessionStore[M]>>) => boolean,
  between: () => Promise<U>,
  act: () => Promise<T>,
): Promise<[T, U]> {
  const original = store[method];
  const read = original.bind(store) as (key: string) => ReturnType<SessionStore[M]>;
  let landed: Promise<U> | null = null;
  const held = async (key: string): Promise<Awaited<ReturnType<SessionStore[M]>>> => {
    const got = await read(key);
    if (landed === null && when(key, got)) {
      landed = between();
      await landed;
    }
    return got;
  };
  store[method] = held as SessionStore[M];
  try {
    const answer = await act();
    if (landed === null) throw new Error(`the racing request never landed (after ${method})`);
    return [answer, await landed];
  } finally {
    store[method] = original;
  }
}

/**
 * Runs `act` with the session's second read of its access generations failing as a stopped Redis's does: the
 * first is the hello's check before its join (authenticate), the second its check again after it (confirmJoined).
 */
export async function withOutageAfterJoin<T>(server: TestServer, sessionId: string, act: () => Promise<T>): Promise<{ answer: T; reads: number }> {
  const store = server.app.service.store;
  const original = store.accessChanges;
  let reads = 0;
  store.accessChanges = async (id) => {
    if (id === sessionId && ++reads === 2) throw new StoreUnavailableError('timeout', 'Redis did not answer within 1000 ms.');
    return original.call(store, id);
  };
  try {
    return { answer: await act(), reads };
  } finally {
    store.accessChanges = original;
  }
}

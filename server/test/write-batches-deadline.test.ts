/**
 * A command's deadline on the batched write path: WriteBatches alone, with a
 * decide that waits until the test lets it go.
 */
import { describe, expect, it } from 'vitest';
import type { PendingCommand } from '../src/session/command-path.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { WriteBatches } from '../src/session/write-batches.ts';
import { message, seat, settled, submitted } from './write-batches-fixture.ts';

describe("a command's deadline, kept by the command itself", () => {
  /** WriteBatches with a decide that waits for `go` and answers every open command, as the command path does. */
  function batches(go: Promise<void>) {
    const bounds = new DeadlineQueue();
    const seen: PendingCommand[][] = [];
    const writes = new WriteBatches(new KeyedQueue(), bounds, async (_id, batch) => {
      seen.push([...batch]);
      await go;
      for (const p of batch) {
        if (p.answered) continue;
        p.answered = true;
        p.resolve({ version: 1, duplicate: false });
      }
    }, 16);
    const request = { actor: seat(0), commandId: 'c', expectedGameVersion: null, command: message(0) };
    return { bounds, seen, writes, request };
  }

  it('leaves the deadline queue when answered in time, and its deadline then does nothing', async () => {
    const { bounds, writes, request } = batches(Promise.resolve());
    const answer = submitted(writes, 'S', request, performance.now() + 1000, performance.now() + 30);
    expect(bounds.size).toBe(1);
    await expect(answer).resolves.toMatchObject({ version: 1 });
    expect(bounds.size).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(bounds.size).toBe(0);
  });

  it('at its deadline answers `unavailable` and is marked answered and abandoned, so its batch neither takes nor answers it', async () => {
    let go = () => {};
    const { bounds, seen, writes, request } = batches(new Promise<void>((r) => (go = r)));
    const answer = settled(submitted(writes, 'S', request, performance.now() + 1000, performance.now() + 20));
    expect(await answer).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(bounds.size).toBe(0);
    const pending = seen[0]?.[0];
    expect(pending).toMatchObject({ answered: true, abandoned: true });
    go();
  });

  it('without a deadline never enters the queue', async () => {
    const { bounds, writes, request } = batches(Promise.resolve());
    const answer = submitted(writes, 'S', request, performance.now() + 1000);
    expect(bounds.size).toBe(0);
    await expect(answer).resolves.toMatchObject({ version: 1 });
  });
});

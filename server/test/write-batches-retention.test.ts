/**
 * What WriteBatches keeps alive once a batch decided at once (memory) has
 * answered: nothing of its commands. The array a batch was handed in is kept
 * for the session's next commands, and it used to keep the last batch's
 * commands (each Pending and its request) until that next batch, past a
 * scavenge or two at the fan-out bench's rate
 * (docs/performance/fan-out-log.md, "Transient survivors").
 */
import { describe, expect, it } from 'vitest';
import type { CommandRequest, PendingCommand } from '../src/session/command-types.ts';
import { DeadlineQueue } from '../src/session/deadline-queue.ts';
import { KeyedQueue } from '../src/session/keyed-queue.ts';
import { WriteBatches } from '../src/session/write-batches.ts';
import { collected } from './collected.ts';

describe('WriteBatches\' hold on answered commands', () => {
  it('lets a batch decided at once go when it is answered, not at the session\'s next batch', async () => {
    const decided: number[] = [];
    const decide = (_sessionId: string, batch: readonly PendingCommand[]): undefined => {
      decided.push(batch.length);
      for (const pending of batch) pending.resolve({ version: 1, duplicate: false });
      return undefined;
    };
    const batches = new WriteBatches(new KeyedQueue(), new DeadlineQueue(), decide, 128);
    const answers: string[] = [];
    // In a function of its own, so that nothing on this test's stack holds the request but the batches.
    const submit = (commandId: string): WeakRef<CommandRequest> => {
      const request: CommandRequest = { actor: { kind: 'seat', seat: 'iran' }, commandId, expectedGameVersion: null, command: { type: 'SEND_MESSAGE', channel: 'public', text: commandId } };
      batches.submit('s1', request, 0, undefined, { ok: () => answers.push(commandId), fail: () => answers.push(`${commandId} failed`) });
      return new WeakRef(request);
    };
    const first = submit('c-1');
    await collected();
    expect(answers).toEqual(['c-1']);
    expect(first.deref()).toBeUndefined();
    // The next batch is decided as before, in the same reused array.
    const second = submit('c-2');
    await collected();
    expect(answers).toEqual(['c-1', 'c-2']);
    expect(decided).toEqual([1, 1]);
    expect(second.deref()).toBeUndefined();
  });
});

/**
 * A public message's id (`m<seq>`) is one string per seq for every session,
 * not a string of its own per message: it is kept for the life of the
 * session, and was one heap object (24 B) of the 606 B a public message left
 * alive (docs/performance/fan-out-log.md, "What a public message keeps
 * alive"). Only a heap snapshot tells two equal strings apart, so the test
 * reads one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { applyEntry, createGame, initialState, type LogEntry, type Message } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { readHeap } from '../bench/survivors/heap-diff.ts';

const scenario = shippedScenario('april-2024');
const ID_PROBE = 'id-probe';

/** Three public messages in a new session of its own, each with a text no other object has (joined, so a flat string the snapshot names by its value). */
function session(name: string): Message[] {
  const game = createGame(scenario, { scenarioId: scenario.id, seed: name, optionalSeats: [] });
  const publicChannel = scenario.channels.find((c) => c.kind === 'public');
  if (!publicChannel) throw new Error('the scenario has no public channel');
  let state = initialState(game);
  const messages: Message[] = [];
  for (let i = 0; i < 3; i++) {
    const entry: LogEntry = {
      seq: state.version + 1,
      at: 1_712_000_000_000 + 61_000 * i,
      by: { kind: 'seat', seat: publicChannel.members[0] ?? '' },
      commandId: `${name}-${i}`,
      command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: [ID_PROBE, name, i].join(' ') },
    };
    const r = applyEntry(game, state, entry);
    if (!r.ok || !r.message) throw new Error('the message was refused');
    messages.push(r.message);
    state = r.state;
  }
  return messages;
}

describe('a message\'s id', () => {
  it('is the same string object in every session for the same seq, and its value is unchanged', () => {
    const a = session('first');
    const b = session('second');
    expect(a.map((m) => m.id)).toEqual(a.map((m) => `m${m.seq}`));
    expect(b.map((m) => m.id)).toEqual(a.map((m) => m.id));
    const dir = mkdtempSync(join(tmpdir(), 'message-id-'));
    try {
      const heap = readHeap(writeHeapSnapshot(join(dir, 'heap.heapsnapshot')));
      // Each message's node, found by its text, and the node its `id` points to.
      const idNodes = new Map<string, number>();
      for (let i = 0; i < heap.count; i++) {
        if (heap.type(i) !== 'object') continue;
        let text: string | undefined;
        let id: number | undefined;
        for (const [type, name, to] of heap.edges(i)) {
          if (type !== 'property') continue;
          if (name === 'text' && heap.name(to).startsWith(`${ID_PROBE} `)) text = heap.name(to);
          if (name === 'id') id = heap.id(to);
        }
        if (text !== undefined && id !== undefined) idNodes.set(text, id);
      }
      for (let i = 0; i < 3; i++) {
        const first = idNodes.get(`${ID_PROBE} first ${i}`);
        expect(first).toBeDefined();
        expect(idNodes.get(`${ID_PROBE} second ${i}`)).toBe(first);
      }
      // Both arrays are alive until here, so the snapshot had their messages.
      expect(a.length + b.length).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

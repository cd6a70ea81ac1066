/**
 * What a public message keeps for the life of its session, without a heap
 * object of its own (docs/performance.md, "What a public message keeps alive"
 * and "Two objects fewer a message"): its id (`m<seq>`) is one string per seq
 * for every session, and its time is the one box its log entry holds. Only a
 * heap snapshot tells two equal strings or numbers apart, so the tests read
 * one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { applyEntry, createGame, initialState, type LogEntry, type Message } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { readHeap, type Heap } from '../bench/survivors/heap-diff.ts';

const scenario = shippedScenario('april-2024');
const PROBE = 'fields-probe';

interface Played {
  messages: Message[];
  entries: LogEntry[];
}

/**
 * Three public messages in a new session of its own, each with a text no
 * other object has (joined, so a flat string the snapshot names by its
 * value); the entries are literals with the command path's keys in its order.
 */
function session(name: string, playerName?: string): Played {
  const game = createGame(scenario, { scenarioId: scenario.id, seed: name, optionalSeats: [] });
  const publicChannel = scenario.channels.find((c) => c.kind === 'public');
  if (!publicChannel) throw new Error('the scenario has no public channel');
  const seat = publicChannel.members[0] ?? '';
  let state = initialState(game);
  const played: Played = { messages: [], entries: [] };
  for (let i = 0; i < 3; i++) {
    const entry: LogEntry = {
      seq: state.version + 1,
      at: 1_712_000_000_000 + 61_000 * i,
      by: playerName ? { kind: 'seat', seat, name: playerName } : { kind: 'seat', seat },
      commandId: `${name}-${i}`,
      command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: [PROBE, name, i].join(' ') },
    };
    const r = applyEntry(game, state, entry);
    if (!r.ok || !r.message) throw new Error('the message was refused');
    played.messages.push(r.message);
    played.entries.push(entry);
    state = r.state;
  }
  return played;
}

interface Held {
  /** The snapshot ids of what a message's `id` and `at` properties point to (a boxed double field has no property edge). */
  message: { id?: number; at?: number };
  entry: { at?: number };
}

/** Per probe text, what its message and its log entry point to, in a snapshot of this process's heap. */
function heldByProbe(): Map<string, Held> {
  const dir = mkdtempSync(join(tmpdir(), 'message-fields-'));
  try {
    const heap = readHeap(writeHeapSnapshot(join(dir, 'heap.heapsnapshot')));
    const held = new Map<string, Held>();
    const of = (text: string): Held => held.get(text) ?? held.set(text, { message: {}, entry: {} }).get(text) as Held;
    const props = (i: number): Map<string, number> => {
      const out = new Map<string, number>();
      for (const [type, name, to] of heap.edges(i)) if (type === 'property') out.set(name, to);
      return out;
    };
    const probeText = (p: Map<string, number>): string | undefined => {
      const text = p.get('text');
      return text !== undefined && heap.name(text).startsWith(`${PROBE} `) ? heap.name(text) : undefined;
    };
    const idOf = (h: Heap, node: number | undefined): number | undefined => (node === undefined ? undefined : h.id(node));
    for (let i = 0; i < heap.count; i++) {
      if (heap.type(i) !== 'object') continue;
      const p = props(i);
      const text = probeText(p);
      if (text !== undefined && p.has('id')) of(text).message = { id: idOf(heap, p.get('id')), at: idOf(heap, p.get('at')) };
      const command = p.get('command');
      const commandText = command === undefined ? undefined : probeText(props(command));
      if (commandText !== undefined && p.has('commandId')) of(commandText).entry = { at: idOf(heap, p.get('at')) };
    }
    return held;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a public message\'s fields', () => {
  it('id: the same string object in every session for the same seq, its value unchanged', () => {
    const a = session('first');
    const b = session('second');
    expect(a.messages.map((m) => m.id)).toEqual(a.messages.map((m) => `m${m.seq}`));
    expect(b.messages.map((m) => m.id)).toEqual(a.messages.map((m) => m.id));
    const held = heldByProbe();
    for (let i = 0; i < 3; i++) {
      const first = held.get(`${PROBE} first ${i}`)?.message.id;
      expect(first).toBeDefined();
      expect(held.get(`${PROBE} second ${i}`)?.message.id).toBe(first);
    }
    // Alive until here, so the snapshot had them.
    expect(a.messages.length + b.messages.length).toBe(6);
  });

  it('at: the one number its log entry holds, for an unnamed and a named sender, its value unchanged', () => {
    const plays = [session('unnamed'), session('named', 'Ada')];
    for (const p of plays) expect(p.messages.map((m) => m.at)).toEqual(p.entries.map((e) => e.at));
    const held = heldByProbe();
    for (const name of ['unnamed', 'named']) {
      for (let i = 0; i < 3; i++) {
        const h = held.get(`${PROBE} ${name} ${i}`);
        expect(h?.entry.at, `${name} ${i}: the entry's time`).toBeDefined();
        expect(h?.message.at, `${name} ${i}: the message's time`).toBe(h?.entry.at);
      }
    }
    expect(plays.length).toBe(2);
  });
});

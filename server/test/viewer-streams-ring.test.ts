/**
 * ViewerStreams finds a state's remembered positions by scanning its ring. A state newer than the newest ever
 * remembered cannot be in it (the versions in the ring are at most that, and a state's version never changes), so
 * that scan is skipped: the answer must be the one the whole scan gives, in every shape of ring, and the short-cut
 * must read no slot at all.
 */
import { describe, expect, it } from 'vitest';
import type { GameState } from '@rubicon/shared';
import { rememberedIn, type Known } from '../src/session/viewer-streams.ts';

/** Only the version and the identity of a state are read here. */
function stateAt(version: number): GameState {
  return { version } as unknown as GameState;
}

/** The whole scan, as it was before the short-cut. */
function scanned(ring: readonly (Known | null)[], state: GameState): number[] | null {
  for (const k of ring) if (k?.state === state) return k.positions;
  return null;
}

/** A ring of `length` slots holding `versions` in order of remembering (oldest first; older ones overwritten), with `next` where the next one goes. */
function ringOf(length: number, versions: readonly number[]): { ring: (Known | null)[]; next: number; newest: number; states: GameState[] } {
  const ring = new Array<Known | null>(length).fill(null);
  const states: GameState[] = [];
  let next = 0;
  let newest = -1;
  for (const v of versions) {
    const state = stateAt(v);
    states.push(state);
    ring[next] = { state, positions: [v, v] };
    next = (next + 1) % length;
    newest = Math.max(newest, v);
  }
  return { ring, next, newest, states };
}

/** A ring whose slot reads are counted. */
function counted(ring: (Known | null)[]): { ring: (Known | null)[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(ring, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { ring: proxy, reads: () => reads };
}

describe('rememberedIn', () => {
  it('finds nothing in an empty ring, without reading a slot', () => {
    const { ring, next, newest } = ringOf(4, []);
    const c = counted(ring);
    expect(rememberedIn(c.ring, next, newest, stateAt(0))).toBeNull();
    expect(c.reads()).toBe(0);
  });

  it('finds the newest and every state still held, as the whole scan does', () => {
    const { ring, next, newest, states } = ringOf(4, [3, 4, 5, 6, 7, 8]);
    // 3 and 4 were overwritten: older than the oldest held.
    for (const s of states) expect(rememberedIn(ring, next, newest, s)).toEqual(scanned(ring, s));
    expect(rememberedIn(ring, next, newest, states[5] as GameState)).toEqual([8, 8]);
    expect(rememberedIn(ring, next, newest, states[0] as GameState)).toBeNull();
    expect(rememberedIn(ring, next, newest, states[1] as GameState)).toBeNull();
  });

  it('answers for slots not filled yet and versions with gaps as the whole scan does', () => {
    const { ring, next, newest, states } = ringOf(8, [2, 5, 9]);
    for (const s of [...states, stateAt(5), stateAt(7), stateAt(1)]) expect(rememberedIn(ring, next, newest, s)).toEqual(scanned(ring, s));
    expect(rememberedIn(ring, next, newest, states[1] as GameState)).toEqual([5, 5]);
  });

  it('scans for a state as new as the newest that is not the one remembered (same version, another state)', () => {
    const { ring, next, newest } = ringOf(4, [1, 2]);
    const c = counted(ring);
    expect(rememberedIn(c.ring, next, newest, stateAt(2))).toBeNull();
    expect(c.reads()).toBe(4);
  });

  it('reads no slot for a state newer than the newest remembered, however long the ring', () => {
    const { ring, next, newest } = ringOf(256, Array.from({ length: 300 }, (_, i) => i));
    const c = counted(ring);
    expect(rememberedIn(c.ring, next, newest, stateAt(300))).toBeNull();
    expect(c.reads()).toBe(0);
  });

  it('agrees with the whole scan over many rings', () => {
    let seed = 7;
    // A fixed linear congruential sequence: the same rings on every run.
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const versions: number[] = [];
      let v = rand(3);
      for (let i = rand(20); i > 0; i--) versions.push((v += 1 + rand(3)));
      const { ring, next, newest, states } = ringOf(1 + rand(8), versions);
      for (const s of [...states, stateAt(rand(v + 3)), stateAt(newest + 1)]) expect(rememberedIn(ring, next, newest, s)).toEqual(scanned(ring, s));
    }
  });
});

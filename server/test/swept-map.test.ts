import { describe, expect, it } from 'vitest';
import { SweptMap } from '../src/swept-map.ts';

describe('SweptMap', () => {
  it('keeps records until the map reaches its mark, then drops only the idle ones and doubles the mark', () => {
    const map = new SweptMap<{ busy: boolean }>((v) => !v.busy, 4);
    for (const k of ['a', 'b', 'c', 'd']) map.add(k, { busy: k === 'a' }, 0);
    expect(map.size).toBe(4);
    // The fifth sweeps first: a stays (busy), b, c, d go.
    map.add('e', { busy: true }, 0);
    expect([...map.values()].length).toBe(2);
    expect(map.get('a')).toBeDefined();
    expect(map.get('b')).toBeUndefined();
    // The mark stays at the floor (4) while the map is small: two more fit, the next one sweeps again.
    map.add('f', { busy: false }, 0);
    map.add('g', { busy: false }, 0);
    expect(map.size).toBe(4);
    map.add('h', { busy: false }, 0);
    expect(map.size).toBe(3);
  });

  it('asks whether a record is idle with the time the adding call gives', () => {
    const map = new SweptMap<{ endsAt: number }>((v, now) => now >= v.endsAt, 1);
    map.add('a', { endsAt: 100 }, 0);
    map.add('b', { endsAt: 100 }, 50);
    expect(map.get('a')).toBeDefined();
    map.add('c', { endsAt: 300 }, 150);
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBeUndefined();
    expect(map.get('c')).toBeDefined();
  });
});

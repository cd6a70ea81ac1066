import { describe, expect, it } from 'vitest';
import { mapList } from '../src/lists.ts';

describe('mapList', () => {
  it('gives what Array.prototype.map gives, in order, and a new array', () => {
    const xs = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const seen: string[] = [];
    const out = mapList(xs, (x) => (seen.push(x.id), `${x.id}!`));
    expect(out).toEqual(xs.map((x) => `${x.id}!`));
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(mapList([], (x: number) => x)).toEqual([]);
    expect(mapList(xs, (x) => x)).not.toBe(xs);
  });
});

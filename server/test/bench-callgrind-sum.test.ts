import { describe, expect, it } from 'vitest';
import { callersOf, namer, parseCallgrind, parsePerfMap, selfOf } from '../bench/message-cpu/callgrind-sum.ts';

// A profile in callgrind's compressed format: names given once by id, a call's `calls=` line followed by its
// inclusive cost (not the caller's self cost), positions relative (+n) or repeated (*).
const PROFILE = `events: Ir D1mr
fl=(1) ???
fn=(10) 0x0000000000001010
5 100 4
+2 50 1
cfn=(20) Builtins_FindOrderedHashMapEntry
calls=3 0
* 30 6
fn=(20)
0 30 6
fn=(30) 0x0000000000002008
1 7 0
cfn=(20)
calls=1 0
1 10 2
cfn=(40) Builtins_MapPrototypeGet
calls=2 0
1 8 1
fn=(40)
0 8 1
totals: 225 20
`;

const MAP = `1000 100 JS:*'handler file:///x/server/src/a.ts:1:1
2000 80 JS:+'old file:///x/server/src/b.ts:1:1
2000 80 JS:+'newer file:///x/server/src/b.ts:1:1
`;

describe('callgrind-sum', () => {
  const profile = parseCallgrind(PROFILE, namer(parsePerfMap(MAP)));

  it('sums self cost by function, a call line\'s cost charged to the edge and not to the caller', () => {
    expect(profile.events).toEqual(['Ir', 'D1mr']);
    expect(profile.self.get("JS:*'handler file:///x/server/src/a.ts:1:1")).toEqual([150, 5]);
    expect(profile.self.get('Builtins_FindOrderedHashMapEntry')).toEqual([30, 6]);
  });

  it('names JIT code by the last perf map entry covering its address', () => {
    expect(profile.self.get("JS:+'newer file:///x/server/src/b.ts:1:1")).toEqual([7, 0]);
    expect(namer(parsePerfMap(MAP))('0x0000000000009000')).toBe('0x0000000000009000');
  });

  it('sums the edges into matching callees by caller, largest first', () => {
    const rows = callersOf(profile, /FindOrderedHash|MapPrototypeGet/);
    expect(rows.map((r) => [r.caller, r.calls, r.costs])).toEqual([
      ["JS:*'handler file:///x/server/src/a.ts:1:1", 3, [30, 6]],
      ["JS:+'newer file:///x/server/src/b.ts:1:1", 3, [18, 3]],
    ]);
    expect(selfOf(profile, /FindOrderedHash|MapPrototypeGet/)).toEqual([38, 7]);
  });
});

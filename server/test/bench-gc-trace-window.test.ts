import { describe, expect, it } from 'vitest';
import { gcsInWindows, scavengeSummary } from '../bench/fanout/gc-trace-window.ts';

// --trace-gc-nvp lines as Node 20 and Node 24 print them (fields cut down), between other processes' output.
const LOG = [
  '[11:0x6d7e490]     1500 ms: pause=9.0 mutator=1.0 gc=s allocated=1 promoted=1 new_space_survived=1',
  '[11:0x6d7e490]     2100 ms: pause=3.0 mutator=500.0 gc=s scavenge.roots=0.1 allocated=13000000 promoted=400000 new_space_survived=500000',
  '  [41.2 s] 8 fan-out · bare: p99 2.5 ms',
  '[11:0x6d7e490]     2600 ms: pause=7.5 mutator=60.0 gc=mc allocated=1400000 promoted=0 new_space_survived=0',
  '[11:0x6d7e490]     2900 ms: pause=2.0 mutator=300.0 gc=s allocated=13000000 promoted=300000 new_space_survived=700000',
  '[12:0xac52000:0]    23100 ms: pause=4.0 mutator=2100.0 gc=s allocated=52000000 promoted=1400000 new_space_survived=1000000 new_space_capacity=67108864',
  '[12:0xac52000:0]    29999 ms: pause=1.0 gc=s promoted=0 new_space_survived=0 new_space_capacity=67108864',
  '[13:0x1]    100 ms: pause=1.0 gc=s promoted=0 new_space_survived=0',
].join('\n');

const windows = [
  { pid: '11', startMs: 2000, endMs: 3000 },
  { pid: '12', startMs: 20000, endMs: 25000 },
];

describe('the GC trace cut at the load window (gc-trace-window.ts)', () => {
  it("keeps each process's collections inside its own window, with what each copied", () => {
    const gcs = gcsInWindows(LOG, windows);
    expect([...gcs.keys()]).toEqual(['11', '12']);
    expect(gcs.get('11')?.map((g) => [g.atMs, g.kind, g.pauseMs, g.survived, g.promoted])).toEqual([
      [100, 's', 3, 500000, 400000],
      [600, 'mc', 7.5, 0, 0],
      [900, 's', 2, 700000, 300000],
    ]);
    expect(gcs.get('11')?.[0]?.capacity).toBeNaN();
    expect(gcs.get('12')).toEqual([{ atMs: 3100, kind: 's', pauseMs: 4, survived: 1000000, promoted: 1400000, capacity: 67108864 }]);
  });

  it('summarises the scavenges alone: a mark-compact is neither counted nor the longest', () => {
    expect(scavengeSummary(gcsInWindows(LOG, windows).get('11') ?? [])).toEqual({ count: 2, medianPauseMs: 2, maxPauseMs: 3, medianCopied: 900000 });
  });
});

// The fan-out harness's heap: its readings over the window, and the flags that keep its own mark-compacts out of the
// window (harness-heap.ts; docs/performance/fan-out-log.md, "The harness's own mark-compacts").
import { describe, expect, it } from 'vitest';
import { HARNESS_OLD_SPACE_MB, harnessFlags, HeapWatch } from '../bench/fanout/harness-heap.ts';

describe("the harness's flags", () => {
  it('set an old-space floor by default, so V8 runs no mark-compact below it', () => {
    expect(harnessFlags({})).toEqual([`--initial-old-space-size=${HARNESS_OLD_SPACE_MB}`]);
    expect(harnessFlags({ FANOUT_HARNESS_OLD_SPACE_MB: '' })).toEqual([`--initial-old-space-size=${HARNESS_OLD_SPACE_MB}`]);
  });

  it("leave V8's default with 0, take another size, and add FANOUT_HARNESS_FLAGS", () => {
    expect(harnessFlags({ FANOUT_HARNESS_OLD_SPACE_MB: '0' })).toEqual([]);
    expect(harnessFlags({ FANOUT_HARNESS_OLD_SPACE_MB: '256', FANOUT_HARNESS_FLAGS: ' --trace-gc  --trace-gc-nvp ' })).toEqual(['--initial-old-space-size=256', '--trace-gc', '--trace-gc-nvp']);
    expect(() => harnessFlags({ FANOUT_HARNESS_OLD_SPACE_MB: 'lots' })).toThrow(/FANOUT_HARNESS_OLD_SPACE_MB/);
  });
});

describe("the harness's heap over the window", () => {
  it('reads its start, end and most against the cap', () => {
    const MB = 1024 * 1024;
    const used = [40 * MB, 70 * MB];
    let i = 0;
    const watch = new HeapWatch(() => ({ used_heap_size: used[Math.min(i++, used.length - 1)] as number, heap_size_limit: 4096 * MB, external_memory: 2 * MB }));
    watch.begin();
    // No timer reading in a test: the end's own reading is the most here.
    expect(watch.stop()).toEqual({ startMb: 40, endMb: 70, peakMb: 70, limitMb: 4096, externalEndMb: 2 });
  });
});

/**
 * The harness's own heap over the load window: what it used at the window's
 * edges and at most, against V8's cap (heap_size_limit, from
 * --max-old-space-size or the machine's memory). Read to tell whether the
 * harness's mark-compacts that were neither forced nor for external memory
 * (harness-gc.ts) came near that cap or only at V8's dynamic old-generation
 * limit, which every ordinary mark-compact reaches
 * (docs/performance/fan-out-log.md, "The harness's own mark-compacts").
 */
import { getHeapStatistics } from 'node:v8';

export interface HarnessHeap {
  /** V8's heap in use (used_heap_size), MB, at the window's start and end and the most of the once-a-second readings. */
  startMb: number;
  endMb: number;
  peakMb: number;
  /** V8's cap on the heap (heap_size_limit), MB. */
  limitMb: number;
  /** Memory outside V8's heap that it accounts for (Buffers, typed arrays' stores), MB, at the window's end. */
  externalEndMb: number;
}

/**
 * The old generation's size below which V8 runs no mark-compact in the
 * harness, MB (--initial-old-space-size, which V8 also takes as the floor of
 * its dynamic limit). Without it, a harness whose heap promoted about 2 MB a
 * second had its limit set about 7 MB above its live heap after its first
 * mark-compact, and ran one every 2.5 s (21 in a 60 s window) while its heap
 * used stayed under 100 MB of a 4 GB cap. A window's harness heap grows well
 * under this, so its mark-compacts are the forced one after set-up and none
 * in the window, whatever the phase; the machine has memory to spare.
 */
export const HARNESS_OLD_SPACE_MB = 1024;

/**
 * The harness's Node flags: the old-space floor (FANOUT_HARNESS_OLD_SPACE_MB,
 * 0 to leave V8's default as before 6 December, 16:00 UTC) and
 * FANOUT_HARNESS_FLAGS (further flags, e.g. "--trace-gc", split on spaces).
 */
export function harnessFlags(env: Record<string, string | undefined>): string[] {
  const mb = env.FANOUT_HARNESS_OLD_SPACE_MB === undefined || env.FANOUT_HARNESS_OLD_SPACE_MB === '' ? HARNESS_OLD_SPACE_MB : Number(env.FANOUT_HARNESS_OLD_SPACE_MB);
  if (!Number.isInteger(mb) || mb < 0) throw new Error(`FANOUT_HARNESS_OLD_SPACE_MB: "${env.FANOUT_HARNESS_OLD_SPACE_MB}" is not a whole number of MB`);
  return [...(mb > 0 ? [`--initial-old-space-size=${mb}`] : []), ...(env.FANOUT_HARNESS_FLAGS ?? '').split(' ').filter(Boolean)];
}

const MB = 1024 * 1024;
type HeapReader = () => { used_heap_size: number; heap_size_limit: number; external_memory?: number };

/** Reads the heap once a second while started; `stop` gives the window's figures. */
export class HeapWatch {
  private start = Number.NaN;
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly read: HeapReader = getHeapStatistics) {}

  begin(): void {
    this.start = this.read().used_heap_size;
    this.peak = this.start;
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.read().used_heap_size)), 1000);
    this.timer.unref();
  }

  stop(): HarnessHeap {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const s = this.read();
    this.peak = Math.max(this.peak, s.used_heap_size);
    return { startMb: this.start / MB, endMb: s.used_heap_size / MB, peakMb: this.peak / MB, limitMb: s.heap_size_limit / MB, externalEndMb: (s.external_memory ?? 0) / MB };
  }
}

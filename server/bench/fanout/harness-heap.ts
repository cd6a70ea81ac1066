/**
 * The harness's own heap over the load window: what it used at the window's
 * edges and at most, against V8's cap (heap_size_limit, from
 * --max-old-space-size or the machine's memory). Read to tell whether the
 * harness's mark-compacts "at the heap's limit" (harness-gc.ts: neither
 * forced nor for external memory) came near that cap or only at V8's
 * dynamic old-generation limit, which every ordinary mark-compact reaches
 * (docs/performance.md, "The harness's own mark-compacts").
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

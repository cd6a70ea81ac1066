/**
 * The tail's legs (FANOUT_TAIL=1): what the server probe (tail-probe.ts)
 * and the harness record, and how the orchestrator joins them by message
 * number into where the slow deliveries' time went. Pure but for GcLog.
 */
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { quantile } from '../stats.ts';

/** A garbage collection: start (epoch ms), pause (ms), kind (perf_hooks' NODE_PERFORMANCE_GC_*), and V8's callback flags (NODE_PERFORMANCE_GC_FLAGS_*: why it ran; absent from records before 6 December, 13:20 UTC). */
export type GcRecord = [start: number, ms: number, kind: number, flags?: number];

/** Per message k read in the window (arrays indexed by k; NaN where not read here). */
export interface ServerTail {
  read: number[];
  emit: number[];
  tickEnd: number[];
  burst: number[];
  place: number[];
  gcs: GcRecord[];
  /**
   * Each loop iteration that read packets: how many, from the first read to its end (ms), and (since
   * 6 December) its first read (epoch ms, `at`) and the loop's idle time so far (ms, `idle`, libuv's
   * time in the poll wait): between two iterations, what of the gap the loop was not waiting was busy.
   */
  bursts: Burst[];
}

export interface Burst {
  n: number;
  ms: number;
  at?: number;
  idle?: number;
}

/** A delivery as the harness saw it: message k, sent and received (epoch ms). */
export type DeliveryRecord = [k: number, sent: number, received: number];

export interface HarnessTail {
  /** Deliveries slower than the p99, and every `sampleEvery`th delivery (the base rate). */
  slow: DeliveryRecord[];
  sample: DeliveryRecord[];
  gcs: GcRecord[];
}

export const epochNow = (): number => performance.timeOrigin + performance.now();

const STAMP = /f(\d+(?:\.\d+)?):(\d+) /;

/** The message number a harness text carries, or -1. */
export function messageNumber(text: unknown): number {
  if (typeof text !== 'string') return -1;
  const m = STAMP.exec(text);
  return m ? Number(m[2]) : -1;
}

/** Collects this process's GCs while started (perf_hooks), for the server and the harness alike. */
export class GcLog {
  private readonly gcs: GcRecord[] = [];
  private observer: PerformanceObserver | null = null;

  start(): void {
    this.gcs.length = 0;
    this.observer = new PerformanceObserver((list) => this.take(list.getEntries()));
    this.observer.observe({ entryTypes: ['gc'] });
  }

  private take(entries: readonly PerformanceEntry[]): void {
    for (const e of entries) {
      const detail = (e as unknown as { detail?: { kind?: number; flags?: number } | null }).detail;
      this.gcs.push([performance.timeOrigin + e.startTime, e.duration, detail?.kind ?? 0, detail?.flags ?? 0]);
    }
  }

  stop(): GcRecord[] {
    // Entries are delivered after the fact: a collection just before the stop would be missed without taking them now.
    if (this.observer) this.take(this.observer.takeRecords());
    this.observer?.disconnect();
    this.observer = null;
    return [...this.gcs];
  }
}

/** The share (0..1) of records for which `test` holds. */
const share = <T>(xs: readonly T[], test: (x: T) => boolean): number => (xs.length === 0 ? Number.NaN : xs.filter(test).length / xs.length);

function gcOverlap(gcs: readonly GcRecord[], from: number, to: number): number {
  let ms = 0;
  for (const [start, pause] of gcs) ms += Math.max(0, Math.min(to, start + pause) - Math.max(from, start));
  return ms;
}

/** One group's medians (ms) of each leg, and shares (0..1). */
export interface TailLegs {
  n: number;
  /** Send → read by Socket.IO on the server: the client's write, the kernel, and the server's loop busy with what came before. */
  toRead: number;
  /** Read → its broadcast: this message's processing, and what its burst ran before it. */
  readToEmit: number;
  /** Broadcast → the end of its loop iteration: what ran after the fan-out (its ack, the rest of the burst). */
  emitToTickEnd: number;
  /** End of that iteration → receipt at the harness: the kernel and the harness's loop. */
  tickEndToReceipt: number;
  /** Packets read in the message's loop iteration. */
  burst: number;
  /** Shares with a server GC pause between send and the iteration's end; with a harness GC pause between it and the receipt. */
  serverGc: number;
  harnessGc: number;
  /** Shares whose broadcast came after the iteration that read it ended (deferred across ticks), or was not seen. */
  deferred: number;
}

function legs(records: readonly DeliveryRecord[], server: ServerTail, harnessGcs: readonly GcRecord[]): TailLegs {
  const joined = records.flatMap(([k, sent, received]) => {
    const read = server.read[k];
    const tickEnd = server.tickEnd[k];
    // Over IPC (JSON) a NaN arrives as null.
    if (typeof read !== 'number' || typeof tickEnd !== 'number' || Number.isNaN(read) || Number.isNaN(tickEnd)) return [];
    const emit = server.emit[k] ?? Number.NaN;
    return [{ sent, received, read, emit, tickEnd, burst: server.burst[k] ?? Number.NaN }];
  });
  const med = (pick: (j: (typeof joined)[number]) => number) => quantile(joined.map(pick), 0.5);
  return {
    n: joined.length,
    toRead: med((j) => j.read - j.sent),
    readToEmit: med((j) => j.emit - j.read),
    emitToTickEnd: med((j) => j.tickEnd - j.emit),
    tickEndToReceipt: med((j) => j.received - j.tickEnd),
    burst: med((j) => j.burst),
    serverGc: share(joined, (j) => gcOverlap(server.gcs, j.sent, j.tickEnd) > 0),
    harnessGc: share(joined, (j) => gcOverlap(harnessGcs, j.tickEnd, j.received) > 0),
    deferred: share(joined, (j) => !(j.emit <= j.tickEnd)),
  };
}

export interface TailAttribution {
  slow: TailLegs;
  all: TailLegs;
  /** Packets read per loop iteration, and the iteration's length from its first read (ms): p50 / p99 / max. */
  burstN: [number, number, number];
  burstMs: [number, number, number];
  /** Server and harness GCs in the window: count, total and longest pause (ms), and the scavenges' share of the count. */
  serverGcs: GcSummary;
  harnessGcs: GcSummary;
  /** The slow deliveries' distinct messages, and the stalls they came in: runs of receipts less than STALL_GAP_MS apart; the largest run's share of them. */
  slowMessages: number;
  stalls: number;
  largestStall: number;
}

/** Slow deliveries received closer together than this met the same stall. */
export const STALL_GAP_MS = 5;

function stallsOf(slow: readonly DeliveryRecord[]): { stalls: number; largest: number } {
  const at = slow.map((d) => d[2]).sort((a, b) => a - b);
  let stalls = 0;
  let run = 0;
  let largest = 0;
  for (let i = 0; i < at.length; i++) {
    if (i === 0 || (at[i] ?? 0) - (at[i - 1] ?? 0) >= STALL_GAP_MS) {
      stalls++;
      run = 0;
    }
    run++;
    largest = Math.max(largest, run);
  }
  return { stalls, largest: at.length === 0 ? Number.NaN : largest / at.length };
}

export interface GcSummary {
  count: number;
  totalMs: number;
  maxMs: number;
  minor: number;
}

function gcSummary(gcs: readonly GcRecord[]): GcSummary {
  return {
    count: gcs.length,
    totalMs: gcs.reduce((k, g) => k + g[1], 0),
    maxMs: gcs.reduce((k, g) => Math.max(k, g[1]), 0),
    minor: gcs.filter((g) => g[2] === constants.NODE_PERFORMANCE_GC_MINOR).length,
  };
}

const p3 = (xs: number[]): [number, number, number] => [quantile(xs, 0.5), quantile(xs, 0.99), xs.reduce((a, b) => Math.max(a, b), 0)];

/** Joins the harness's deliveries with the (one) server's stamps: the legs of the slow ones against the sample's. */
export function attributeTail(server: ServerTail, harness: HarnessTail): TailAttribution {
  const stalls = stallsOf(harness.slow);
  return {
    slow: legs(harness.slow, server, harness.gcs),
    all: legs(harness.sample, server, harness.gcs),
    burstN: p3(server.bursts.map((b) => b.n)),
    burstMs: p3(server.bursts.map((b) => b.ms)),
    serverGcs: gcSummary(server.gcs),
    harnessGcs: gcSummary(harness.gcs),
    slowMessages: new Set(harness.slow.map((d) => d[0])).size,
    stalls: stalls.stalls,
    largestStall: stalls.largest,
  };
}

/**
 * What the fan-out benchmark's processes tell one another over IPC: the
 * orchestrator (fanout.ts), the servers (bare-server.ts, rubicon-server.ts)
 * and the client harness (harness.ts).
 */
import type { GcRecord, HarnessTail, ServerTail } from './tail-legs.ts';
import type { LatencyHistogram } from './latency-histogram.ts';
import type { MarkCompactPause, MarkCompactShare } from './mark-compacts.ts';
import type { HarnessGc } from './harness-gc.ts';

export type Target = 'bare' | 'rubicon';

/** One server process's own account of itself (after a forced collection when asked). */
export interface ServerStats {
  /** User + system CPU since the process started, µs. */
  cpuMicros: number;
  /** Of which in the kernel (socket writes, over loopback also the receiving side's TCP work). */
  systemMicros: number;
  rssBytes: number;
  /** V8's heap in use plus memory held outside it (buffers): what sessions and sockets cost, unlike RSS, which rarely shrinks. */
  liveBytes: number;
  /** Over the load window, taken at its end (absent from a baseline checkout without load-probe.ts). */
  probe?: LoadProbe;
  /** With FANOUT_SPANS=1, a Rubicon server's command-path waits over the load window (span-probe.ts). */
  spans?: Record<string, SpanSummary>;
  /** With FANOUT_TAIL=1, each message's stamps and the GCs over the load window (tail-probe.ts). */
  tail?: ServerTail;
}

/** One timed step's calls over the window, ms. */
export interface SpanSummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** Garbage collection and event-loop delay of one server process over the load window (load-probe.ts). */
export interface LoadProbe {
  /** Bytes allocated on V8's heap: the heap's growth between collections, summed. */
  allocatedBytes: number;
  /** Of those, bytes that scavenges moved to the old generation (they outlived two young-generation collections). */
  promotedBytes: number;
  /** Bytes the old generation grew by between collections: allocated there at once (pretenured sites, large objects); absent from a baseline without it. */
  oldDirectBytes?: number;
  collections: number;
  /** Of those, mark-compact (not scavenges). */
  majorCollections: number;
  gcPauseMs: number;
  gcMaxPauseMs: number;
  /** How late the event loop ran a 5 ms timer (perf_hooks monitorEventLoopDelay), ms. */
  loopDelayMs: { p50: number; p99: number; max: number };
  /** What the process asked of the kernel over the window (kernel-probe.ts); null off Linux, absent from a baseline without it. */
  kernel?: KernelProbe | null;
  /** Each mark-compact's final pause over the window (absent from a baseline without it). */
  markCompacts?: MarkCompactPause[];
}

/** Counts over the load window from /proc and getrusage (kernel-probe.ts); times in µs. */
export interface KernelProbe {
  writeCalls: number;
  bytesWritten: number;
  readCalls: number;
  bytesRead: number;
  minorFaults: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  mainUserMicros: number;
  mainSystemMicros: number;
  /** Every other thread's (V8's collector and compiler threads, libuv's pool): threads that ended in the window are not counted. */
  otherUserMicros: number;
  otherSystemMicros: number;
}

export type ToServer =
  /** `window` starts or ends the load window's probe (load-probe.ts); a stats reply at its end carries it. */
  | { type: 'stats'; gc: boolean; window?: 'start' | 'end' }
  | { type: 'stop' }
  /** Start V8's CPU profiler (or its sampling heap profiler), or stop it and write the profile (a .cpuprofile file, for DevTools) to `file`. */
  | { type: 'profile-start'; kind?: 'cpu' | 'heap' }
  | { type: 'profile-stop'; file: string };
/** `keepNames`: the server's code carries esbuild's `__name` wrappers (it runs under tsx), see compile.ts; `node`: its process.version (FANOUT_NODE). */
export type FromServer = { type: 'listening'; url: string; keepNames: boolean; node?: string } | { type: 'stats'; stats: ServerStats } | { type: 'profiled'; file: string } | { type: 'failed'; error: string };

export interface HarnessOptions {
  target: Target;
  /** One URL per server process; a session's sockets are spread over all of them. */
  urls: string[];
  sessions: number;
  /** Public messages per second sent by each of a session's four seats. */
  ratePerSeat: number;
  loadMs: number;
  /** Sending before the load window, not measured: the servers' message path is warm when it opens (set-up sends no message). */
  warmupMs: number;
  /** After the load, how long the harness waits for the last deliveries. */
  drainMs: number;
  seed: string;
}

/** The harness's figures for one phase. */
export interface HarnessResult {
  sockets: number;
  sent: number;
  acknowledged: number;
  refused: number;
  /** Sent but never acknowledged (within the ack timeout). */
  unacknowledged: number;
  /** Deliveries expected: every acknowledged message at each of its session's six sockets. */
  expected: number;
  received: number;
  /** Deliveries of acknowledged messages that never arrived (after the drain). */
  lost: number;
  /** Deliveries past one per socket and message. */
  duplicated: number;
  /** Messages that arrived although their acknowledgement did not (it came after the harness's timeout, or never). */
  deliveredUnacknowledged: number;
  /** Deliveries that arrived within the load window, per second of it. */
  deliveriesPerSecond: number;
  /** Send → receipt at every recipient, ms. */
  latencies: LatencyHistogram;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Deliveries more than 2 s after their send. */
  lateOver2s: number;
  setupMs: number;
  harnessCpuPercent: number;
  /** The harness's process.version (FANOUT_HARNESS_NODE) and its client (FANOUT_HARNESS_CLIENT, harness-socket.ts). */
  node: string;
  tail: TailBreakdown;
  /** With FANOUT_TAIL=1, the slow deliveries, a sample of all, and the harness's GCs (tail-probe.ts). */
  tailRecords?: HarnessTail;
  /** How late the window's sends went against their due times (harness-load.ts; absent from a harness before the send grid). */
  sendLateness?: SendLateness;
  /** The harness's own collections over the window (absent from a baseline checkout's harness without harness-gc.ts). */
  gc?: HarnessGc;
  /** The same one by one (start epoch ms, pause, kind), for the late sends a pause of its own explains (absent before 6 December, 13:00 UTC). */
  gcPauses?: GcRecord[];
  /** The deliveries in flight during the servers' mark-compacts (mark-compacts.ts); null when the servers gave no pauses. */
  markCompacts: MarkCompactShare | null;
}

/** Send time less due time over the window's sends, ms (NaN without sends). */
export interface SendLateness {
  sends: number;
  p50: number;
  p99: number;
  max: number;
  /** The sends late past LATE_MS (disturbance.ts), for what the machine did then (absent before 6 December, 13:00 UTC). */
  late?: LateSend[];
}

/** One late send: its due time (epoch ms) and how late it went (ms). */
export type LateSend = [due: number, ms: number];

/** What the tail is made of (harness.ts, tailOf), ms. NaN where there is nothing to count (one process: no crossing). */
export interface TailBreakdown {
  /** Send → receipt at sockets on the sender's own server process, and on another. */
  sameP50: number;
  sameP99: number;
  crossP50: number;
  crossP99: number;
  /** Send → acknowledgement. */
  ackP50: number;
  ackP99: number;
  /** Deliveries slower than the overall p99, and of those the ones that crossed processes. */
  slow: number;
  slowCross: number;
  /** Of those, how many were sent in each second of the load window. */
  slowBySecond: number[];
}

/** `mark-compacts`: every server process's mark-compact pauses over the window (null from a server that does not record them), sent once the window has ended. */
export type ToHarness = { type: 'start'; options: HarnessOptions } | { type: 'go' } | { type: 'mark-compacts'; pauses: MarkCompactPause[] | null };
export type FromHarness =
  | { type: 'ready' }
  | { type: 'load-start' }
  | { type: 'load-end' }
  | { type: 'done'; result: HarnessResult }
  | { type: 'failed'; error: string };

/** The public channel's statement cap in the benchmark's copy of April 2024: above 5 a second. */
export const BENCH_STATEMENTS_PER_MINUTE = 600;
/** The four seats that send; the observer and the white cell only read. */
export const SENDING_SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
export const SOCKETS_PER_SESSION = SENDING_SEATS.length + 2;

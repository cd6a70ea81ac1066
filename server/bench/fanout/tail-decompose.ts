/**
 * The slow deliveries' time, millisecond by millisecond (FANOUT_TAIL=1 with
 * FANOUT_TAIL_DUMP: read offline by server/bench/tail-dump-report.ts). Where
 * tail-legs.ts gives each leg's median, this splits every instant between a
 * delivery's send and its receipt into one of a few causes, so the causes
 * add up to the delivery's latency and their means to the group's mean:
 * a server GC pause (by kind) first, then, before the server read the
 * packet, an earlier loop iteration that read packets or the gap between
 * two such iterations (busy or idle in the proportion libuv's poll-wait
 * time gives for that gap), then its own iteration up to its broadcast;
 * after the broadcast, a harness GC first, then the rest of its iteration
 * (a server GC in it by kind), then after that iteration ended (the kernel
 * and the harness's loop). Pure.
 */
import { constants } from 'node:perf_hooks';
import { quantile } from '../stats.ts';
import type { Burst, DeliveryRecord, GcRecord, ServerTail } from './tail-legs.ts';

export const CAUSES = [
  'serverMarkCompact',
  'serverScavenge',
  'serverOtherGc',
  'earlierIterations',
  'gapBusy',
  'gapIdle',
  'ownIterationAhead',
  'ownProcessing',
  'ownIterationAfter',
  'harnessGc',
  'afterIteration',
  'unplaced',
] as const;
export type Cause = (typeof CAUSES)[number];

/** Mean ms per delivery of each cause, the mean latency they add up to, and what the deliveries' own iterations were like. */
export interface Decomposition {
  n: number;
  meanMs: number;
  causes: Record<Cause, number>;
  /** Medians over the deliveries: packets read in their own iteration, its length (ms), the longest earlier iteration between send and read (ms). */
  ownBurstN: number;
  ownBurstMs: number;
  longestEarlierMs: number;
  /** Shares of deliveries whose send → receipt met a server mark-compact, a server scavenge. */
  metMarkCompact: number;
  metScavenge: number;
}

const STEP_MS = 0.05;

/** The last index whose start is at or before t, or -1 (starts ascending). */
function lastAtOrBefore(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? Infinity) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function gcKindAt(gcs: readonly GcRecord[], starts: readonly number[], t: number): number {
  const i = lastAtOrBefore(starts, t);
  const g = gcs[i];
  return g && t < g[0] + g[1] ? g[2] : 0;
}

function gcCause(kind: number): Cause {
  if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) return 'serverMarkCompact';
  if (kind === constants.NODE_PERFORMANCE_GC_MINOR) return 'serverScavenge';
  return 'serverOtherGc';
}

const burstEnd = (b: Burst): number => (b.at ?? Number.NaN) + b.ms;

/** Each gap's (after iteration i) share of non-GC time the loop was busy rather than waiting in poll, 0..1. */
function gapBusyShares(bursts: readonly Burst[], gcs: readonly GcRecord[]): number[] {
  return bursts.map((b, i) => {
    const next = bursts[i + 1];
    if (!next || next.at === undefined || b.idle === undefined || next.idle === undefined) return 0;
    const from = burstEnd(b);
    const len = next.at - from;
    let gc = 0;
    for (const [start, ms] of gcs) gc += Math.max(0, Math.min(next.at, start + ms) - Math.max(from, start));
    const open = len - gc;
    return open <= 0 ? 0 : Math.min(1, Math.max(0, (open - (next.idle - b.idle)) / open));
  });
}

/** The server's side of the timeline, indexed once for every delivery's instants. */
export class ServerTimeline {
  readonly gcStarts: number[];
  readonly burstStarts: number[];
  readonly busy: number[];
  readonly harnessStarts: number[];

  constructor(
    readonly server: ServerTail,
    readonly harnessGcs: readonly GcRecord[],
  ) {
    this.gcStarts = server.gcs.map((g) => g[0]);
    this.burstStarts = server.bursts.map((b) => b.at ?? Number.NaN);
    this.busy = gapBusyShares(server.bursts, server.gcs);
    this.harnessStarts = harnessGcs.map((g) => g[0]);
  }

  burstAt(t: number): number {
    return lastAtOrBefore(this.burstStarts, t);
  }

  /** Before the read: a GC, an earlier iteration, or a gap (its busy share, as a weight). */
  beforeRead(t: number, own: number, add: (c: Cause, w: number) => void): void {
    const kind = gcKindAt(this.server.gcs, this.gcStarts, t);
    if (kind) return add(gcCause(kind), 1);
    const i = this.burstAt(t);
    const b = this.server.bursts[i];
    if (!b) return add('unplaced', 1);
    if (t <= burstEnd(b)) return add(i === own ? 'ownIterationAhead' : 'earlierIterations', 1);
    const busy = this.busy[i] ?? 0;
    add('gapBusy', busy);
    add('gapIdle', 1 - busy);
  }
}

interface Joined {
  sent: number;
  read: number;
  emit: number;
  tickEnd: number;
  received: number;
}

function join(k: number, sent: number, received: number, server: ServerTail): Joined | null {
  const read = server.read[k];
  const tickEnd = server.tickEnd[k];
  if (typeof read !== 'number' || typeof tickEnd !== 'number' || Number.isNaN(read) || Number.isNaN(tickEnd)) return null;
  const emit = server.emit[k];
  return { sent, read, emit: typeof emit === 'number' && emit >= read && emit <= tickEnd ? emit : read, tickEnd, received };
}

function oneDelivery(j: Joined, line: ServerTimeline, sums: Record<Cause, number>): { met: Set<Cause>; own: number } {
  const met = new Set<Cause>();
  // Each step weighed at its midpoint, and the steps sized to the latency: the causes add up to it exactly.
  const steps = Math.max(1, Math.round((j.received - j.sent) / STEP_MS));
  const step = (j.received - j.sent) / steps;
  const add = (c: Cause, w: number) => {
    if (w <= 0) return;
    sums[c] += w * step;
    met.add(c);
  };
  const own = line.burstAt(j.read);
  for (let s = 0; s < steps; s++) {
    const t = j.sent + (s + 0.5) * step;
    if (t < j.read) line.beforeRead(t, own, add);
    else if (t < j.emit) {
      const kind = gcKindAt(line.server.gcs, line.gcStarts, t);
      add(kind ? gcCause(kind) : 'ownProcessing', 1);
    } else if (gcKindAt(line.harnessGcs, line.harnessStarts, t)) add('harnessGc', 1);
    else {
      // Broadcast: half the slow deliveries arrive before their iteration ends, so after the broadcast the server's
      // own pauses count only while it has not yet ended that iteration (a write it holds back until then).
      const kind = t < j.tickEnd ? gcKindAt(line.server.gcs, line.gcStarts, t) : 0;
      add(kind ? gcCause(kind) : t < j.tickEnd ? 'ownIterationAfter' : 'afterIteration', 1);
    }
  }
  return { met, own };
}

function longestEarlier(j: Joined, own: number, line: ServerTimeline): number {
  let longest = 0;
  for (let i = own - 1; i >= 0; i--) {
    const b = line.server.bursts[i];
    if (!b || burstEnd(b) < j.sent) break;
    longest = Math.max(longest, b.ms);
  }
  return longest;
}

/** The deliveries' time split by cause (see above), against the one server's stamps and the harness's GCs. */
export function decompose(records: readonly DeliveryRecord[], server: ServerTail, harnessGcs: readonly GcRecord[]): Decomposition {
  const line = new ServerTimeline(server, [...harnessGcs].sort((a, b) => a[0] - b[0]));
  const sums = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
  const ownN: number[] = [];
  const ownMs: number[] = [];
  const earlier: number[] = [];
  let mc = 0;
  let sc = 0;
  let total = 0;
  let n = 0;
  for (const [k, sent, received] of records) {
    const j = join(k, sent, received, server);
    if (!j) continue;
    n++;
    total += received - sent;
    const { met, own } = oneDelivery(j, line, sums);
    if (met.has('serverMarkCompact')) mc++;
    if (met.has('serverScavenge')) sc++;
    const b = server.bursts[own];
    if (b) {
      ownN.push(b.n);
      ownMs.push(b.ms);
    }
    earlier.push(longestEarlier(j, own, line));
  }
  const causes = Object.fromEntries(CAUSES.map((c) => [c, n === 0 ? Number.NaN : sums[c] / n])) as Record<Cause, number>;
  return {
    n,
    meanMs: n === 0 ? Number.NaN : total / n,
    causes,
    ownBurstN: quantile(ownN, 0.5),
    ownBurstMs: quantile(ownMs, 0.5),
    longestEarlierMs: quantile(earlier, 0.5),
    metMarkCompact: n === 0 ? Number.NaN : mc / n,
    metScavenge: n === 0 ? Number.NaN : sc / n,
  };
}

/** Read-to-read gaps inside one iteration longer than this, with no GC pause in them, are counted as hiccups. */
export const HICCUP_MS = 1;

/**
 * Within each loop iteration, the gaps between one packet's read and the next's: p50 / p99 / p99.9 (ms), and
 * those past HICCUP_MS that no server GC pause overlaps (count, ms in all): a packet whose handling took a
 * millisecond or more for a reason the GC log does not show (the thread descheduled, incremental marking's
 * steps, work of the app's own).
 */
export function iterationHiccups(server: ServerTail): { gaps: [number, number, number]; count: number; totalMs: number } {
  const reads: [number, number][] = [];
  server.read.forEach((r, k) => {
    const end = server.tickEnd[k];
    if (typeof r === 'number' && !Number.isNaN(r) && typeof end === 'number') reads.push([r, end]);
  });
  reads.sort((a, b) => a[0] - b[0]);
  const starts = server.gcs.map((g) => g[0]);
  const gaps: number[] = [];
  let count = 0;
  let totalMs = 0;
  for (let i = 1; i < reads.length; i++) {
    const [r0, e0] = reads[i - 1] ?? [0, 0];
    const [r1, e1] = reads[i] ?? [0, 0];
    if (e0 !== e1) continue;
    gaps.push(r1 - r0);
    if (r1 - r0 <= HICCUP_MS) continue;
    // A GC overlapping the gap started before its end and ended after its start.
    const g = server.gcs[lastAtOrBefore(starts, r1)];
    if (g && g[0] + g[1] > r0) continue;
    count++;
    totalMs += r1 - r0;
  }
  return { gaps: [quantile(gaps, 0.5), quantile(gaps, 0.99), quantile(gaps, 0.999)], count, totalMs };
}

export const BURST_PACKETS = 5;

/**
 * What a packet costs the server in an iteration of BURST_PACKETS or more (ms per packet), a lone packet's
 * iteration (median ms), and the share of packets read in such bursts. Separates "more packets ahead" from
 * "each packet ahead takes longer" when the slow deliveries queue: with sends on a grid the bursts are
 * chance coincidences, so equal shares and unequal costs put the queueing on the per-packet time.
 */
export function packetCost(server: ServerTail): { burstMsPerPacket: number; loneMs: number; burstShare: number } {
  let burstPackets = 0;
  let burstMs = 0;
  let packets = 0;
  const lone: number[] = [];
  for (const b of server.bursts) {
    packets += b.n;
    if (b.n === 1) lone.push(b.ms);
    if (b.n < BURST_PACKETS) continue;
    burstPackets += b.n;
    burstMs += b.ms;
  }
  return {
    burstMsPerPacket: burstPackets === 0 ? Number.NaN : burstMs / burstPackets,
    loneMs: quantile(lone, 0.5),
    burstShare: packets === 0 ? Number.NaN : burstPackets / packets,
  };
}

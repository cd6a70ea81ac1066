/**
 * Whether a phase met a disturbed machine: the hypervisor's steal, or other
 * processes' CPU, over its load window past a threshold. Such a phase's
 * figures are printed as ever, and marked; the summary over rounds gives its
 * medians and pooled p99 over the undisturbed rounds apart (rounds-summary.ts).
 *
 * Defaults (FANOUT_STEAL_MAX, FANOUT_OTHERS_MAX): steal over 5 % of the
 * machine's cores is a tenth of a core on this two-core machine, 1 s of CPU
 * taken over a 10 s window; a quiet host reads 0-1 % and the disturbed runs
 * of 5 December, 13:03-13:17 UTC read 50 % in `top`. Others over 15 % of a
 * core is past what the quiet rounds of 5 December read for "the rest of
 * the machine" (-1 to 8 %: the bench's own parent process and the system's
 * daemons) and where the rounds with the widest p99 swings began (15-28 %).
 *
 * FANOUT_STEAL_SECOND_MAX, the worst second's steal (steal-burst.ts): 25 %
 * of the machine's cores is half a core for a second on this machine, one
 * virtual CPU held for 500 ms, far past the 5 msg/s p99 of a quiet phase
 * (8-19 ms) and the size of the one stall that set an unmarked phase's p99
 * (586 ms, 8 December, 00:04 UTC, at 1.1 % steal over its window). Steal
 * spread evenly reads the same each second as over the window, so it stays
 * the window's rule's to mark.
 *
 * A disturbed phase names the other processes that took the most CPU over
 * its window (process-cpu.ts), so that its reason, printed with the phase and
 * in the summary over rounds, says what ran rather than only how much.
 */
import type { ProcessCpu } from './process-cpu.ts';
import type { GcRecord } from './tail-legs.ts';
import type { CpuInterval } from './thread-cpu.ts';
import type { LateSend } from './types.ts';
import { midMedian } from './mid-median.ts';

export interface DisturbanceLimits {
  /** Steal over the window, % of the machine's cores. */
  stealPercent: number;
  /** Steal over the window's worst second, % of the machine's cores (steal-burst.ts). */
  stealSecondPercent: number;
  /** Processes other than the servers, the harness and Redis, % of one core. */
  othersPercent: number;
}

export const DISTURBANCE_DEFAULTS: DisturbanceLimits = { stealPercent: 5, stealSecondPercent: 25, othersPercent: 15 };

/** What the machine did beside a phase; null where it could not be read (not Linux). */
export interface BesideThePhase {
  stealPercent: number | null;
  /** The worst second's; null or absent where not read. */
  stealSecondPercent?: number | null;
  othersPercent: number | null;
  /** The other processes that used the most CPU over the window, most first; empty where unknown. */
  topOthers?: readonly ProcessCpu[];
}

/** Processes under this share of a core are left out of a reason: they explain nothing. */
const NAMED_MIN_PERCENT = 1;

/** "yes 4242 99 %, node 17 3 %": who took the CPU, as a reason carries it (the command lines are printed apart). */
export function namedProcesses(top: readonly ProcessCpu[]): string {
  return top
    .filter((p) => p.percent >= NAMED_MIN_PERCENT)
    .map((p) => `${p.comm} ${p.pid} ${p.percent.toFixed(0)} %`)
    .join(', ');
}

/** Why a phase counts as disturbed ("steal 12 %; steal's worst second 40 %; others 120 % of a core; most CPU: yes 4242 99 %"), or null when it does not. */
export function disturbanceOf(beside: BesideThePhase, limits: DisturbanceLimits): string | null {
  const why: string[] = [];
  if (beside.stealPercent !== null && beside.stealPercent > limits.stealPercent) why.push(`steal ${beside.stealPercent.toFixed(0)} %`);
  const second = beside.stealSecondPercent ?? null;
  if (second !== null && second > limits.stealSecondPercent) why.push(`steal's worst second ${second.toFixed(0)} %`);
  if (beside.othersPercent !== null && beside.othersPercent > limits.othersPercent) why.push(`others ${beside.othersPercent.toFixed(0)} % of a core`);
  if (why.length === 0) return null;
  const named = namedProcesses(beside.topOthers ?? []);
  return named ? `${why.join('; ')}; most CPU: ${named}` : why.join('; ');
}

/**
 * A late harness. The harness sends on a grid of due times (send-grid.ts);
 * a send behind its due time means the harness did not run when it should
 * have, and while it does not run it also reads no receipts, so the window's
 * latencies carry its stall whichever contender it met. Each send late past
 * LATE_MS is given one cause, read from what ran at the time:
 *
 * - `harnessGc`: a collection of the harness's own covered at least half of
 *   its lateness;
 * - `others`: the harness's main thread waited for a core (run-queue wait
 *   over WAIT_SHARE of the interval) while other processes took at least
 *   OTHERS_BURST_PERCENT of a core and the servers' threads together less
 *   than one core: the two cores would have held the server and the harness
 *   but for the others;
 * - `server`: it waited for a core while the server under test's threads
 *   (its main thread and its V8 and libuv helpers) took more than the others:
 *   the server's own cost, which must stay in its reading;
 * - `unexplained`: it did not wait for a core (the harness was busy with its
 *   own work, receipts the server sent in a burst among it), or no reading
 *   covers it.
 *
 * Only `harnessGc` and `others` are outside the server under test. The phase
 * counts as disturbed when its lateness p99 is past the run's limit
 * (lateLimitOf) and the sends late for any other cause are at most 1 % of
 * its sends, so that without the outside causes its p99 would not have been
 * late. A phase whose harness was late for the server's own threads, or for
 * no cause found, is kept, and its row says so.
 */

/** A send later than this is late, and listed by the harness (harness-load.ts); the least lateness p99 that can mark a phase (quiet phases read 1.7-2.1 ms on a quiet host). */
export const LATE_MS = 5;
/**
 * A phase's lateness p99 must also pass this many times the median of the
 * judged phases' (those the machine's rule left quiet): a slow host's quiet
 * phases read 3.1-4.9 ms, within about 1.45× of their run's lowest, and the
 * phases late for other processes 1.6-1.7× their run's median (6.5-6.7
 * against 3.9-4.2 ms) or 7-13× (13-25 against 1.9 ms); 1.5 sits between.
 */
export const LATE_OVER_MEDIAN = 1.5;
/**
 * The harness's main thread waited for a core this share of an interval, or
 * more. On this host a quiet window reads 11-12 % (114-121 ms a second: a
 * woken thread waits for a halted virtual CPU to run again), the intervals
 * where other processes filled both cores 40-46 % (6 December, 13:05-13:08 UTC).
 */
export const WAIT_SHARE = 0.25;
/** Other processes' CPU in an interval, % of one core, from which they count as having taken a core. */
export const OTHERS_BURST_PERCENT = 50;

export interface LateCauses {
  /** The window's sends and its lateness p99, ms. */
  sends: number;
  p99: number;
  /** Sends late past LATE_MS, and how many of them each cause explains. */
  late: number;
  harnessGc: number;
  others: number;
  server: number;
  unexplained: number;
}

type Cause = 'harnessGc' | 'others' | 'server' | 'unexplained';

function causeOf([due, ms]: LateSend, gcs: readonly GcRecord[], intervals: readonly CpuInterval[]): Cause {
  const end = due + ms;
  const gcOverlap = gcs.reduce((k, [start, pause]) => k + Math.max(0, Math.min(end, start + pause) - Math.max(due, start)), 0);
  if (gcOverlap >= ms / 2) return 'harnessGc';
  const mid = due + ms / 2;
  const at = intervals.find((i) => i.start <= mid && mid < i.end);
  if (!at || at.harnessWaitMs < (at.end - at.start) * WAIT_SHARE) return 'unexplained';
  const server = at.serverMain + at.serverHelpers;
  if (at.others !== null && at.others >= OTHERS_BURST_PERCENT && server < 100) return 'others';
  return server > (at.others ?? 0) ? 'server' : 'unexplained';
}

/** Each late send's cause, counted. */
export function lateCauses(sends: number, p99: number, late: readonly LateSend[], gcs: readonly GcRecord[], intervals: readonly CpuInterval[]): LateCauses {
  const out: LateCauses = { sends, p99, late: 0, harnessGc: 0, others: 0, server: 0, unexplained: 0 };
  for (const send of late) {
    if (send[1] <= LATE_MS) continue;
    out.late++;
    out[causeOf(send, gcs, intervals)]++;
  }
  return out;
}

const share = (n: number, of: number) => `${of > 0 ? ((n / of) * 100).toFixed(0) : '-'} %`;

/** The causes as a report reads them. */
export function lateCausesLine(c: LateCauses): string {
  return `${c.late} sends late past ${LATE_MS} ms: the harness's own GC ${share(c.harnessGc, c.late)}, other processes on its core ${share(c.others, c.late)}, the server's threads on its core ${share(c.server, c.late)}, no cause found ${share(c.unexplained, c.late)}`;
}

/** The lateness p99 past which a phase's harness counts as late, and what it was taken from. */
export interface LateLimit {
  limitMs: number;
  /** The median lateness p99 of the phases judged, ms; null with none. */
  medianMs: number | null;
  phases: number;
}

/**
 * The limit for a set of phases judged together (a call's, in fanout.ts; all
 * the pooled rounds', in fanout-pool.ts): past LATE_MS and past
 * LATE_OVER_MEDIAN times their median lateness p99. `p99s` are the phases the
 * machine's rule left quiet; their median stands for the host's quiet
 * lateness in that hour, which a few late phases cannot move.
 */
export function lateLimitOf(p99s: readonly number[]): LateLimit {
  if (p99s.length === 0) return { limitMs: LATE_MS, medianMs: null, phases: 0 };
  const medianMs = midMedian(p99s);
  return { limitMs: Math.max(LATE_MS, LATE_OVER_MEDIAN * medianMs), medianMs, phases: p99s.length };
}

/** The limit as a report reads it. */
export function lateLimitLine(l: LateLimit): string {
  const median = l.medianMs === null ? 'no phase with a lateness reading' : `${LATE_OVER_MEDIAN} × the median ${l.medianMs.toFixed(2)} ms of ${l.phases} phase${l.phases === 1 ? '' : 's'}`;
  return `${l.limitMs.toFixed(2)} ms (the larger of ${LATE_MS} ms and ${median})`;
}

/** Why the phase counts as disturbed by its harness's lateness ("harness late: …"), or null: not past `limit`, or late for the server's own threads or for no cause found (kept). */
export function harnessLateOf(c: LateCauses | null | undefined, limit: LateLimit): string | null {
  if (!c || !(c.p99 > limit.limitMs)) return null;
  const inside = c.late - c.harnessGc - c.others;
  if (inside > c.sends * 0.01) return null;
  return `harness late: sends' p99 ${c.p99.toFixed(1)} ms, past ${limit.limitMs.toFixed(1)} ms; ${lateCausesLine(c)}`;
}

/** A saved phase's machine reason: rounds saved before the relative limit carry the late harness's reason after it, which is judged again. */
export function machineReasonOf(disturbed: string | null): string | null {
  if (disturbed === null) return null;
  const at = disturbed.indexOf('harness late: ');
  if (at < 0) return disturbed;
  const before = disturbed.slice(0, at).replace(/;\s*$/, '');
  return before === '' ? null : before;
}

/** A phase's reasons together: the machine's and the harness's lateness; null when neither. */
export function joinDisturbances(...reasons: readonly (string | null)[]): string | null {
  const got = reasons.filter((r): r is string => r !== null);
  return got.length > 0 ? got.join('; ') : null;
}

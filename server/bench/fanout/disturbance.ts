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
 * A disturbed phase names the other processes that took the most CPU over
 * its window (process-cpu.ts), so that its reason, printed with the phase and
 * in the summary over rounds, says what ran rather than only how much.
 */
import type { ProcessCpu } from './process-cpu.ts';

export interface DisturbanceLimits {
  /** Steal over the window, % of the machine's cores. */
  stealPercent: number;
  /** Processes other than the servers, the harness and Redis, % of one core. */
  othersPercent: number;
}

export const DISTURBANCE_DEFAULTS: DisturbanceLimits = { stealPercent: 5, othersPercent: 15 };

/** What the machine did beside a phase; null where it could not be read (not Linux). */
export interface BesideThePhase {
  stealPercent: number | null;
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

/** Why a phase counts as disturbed ("steal 12 %; others 120 % of a core; most CPU: yes 4242 99 %"), or null when it does not. */
export function disturbanceOf(beside: BesideThePhase, limits: DisturbanceLimits): string | null {
  const why: string[] = [];
  if (beside.stealPercent !== null && beside.stealPercent > limits.stealPercent) why.push(`steal ${beside.stealPercent.toFixed(0)} %`);
  if (beside.othersPercent !== null && beside.othersPercent > limits.othersPercent) why.push(`others ${beside.othersPercent.toFixed(0)} % of a core`);
  if (why.length === 0) return null;
  const named = namedProcesses(beside.topOthers ?? []);
  return named ? `${why.join('; ')}; most CPU: ${named}` : why.join('; ');
}

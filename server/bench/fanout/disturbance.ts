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
 */

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
}

/** Why a phase counts as disturbed ("steal 12 %; others 20 % of a core"), or null when it does not. */
export function disturbanceOf(beside: BesideThePhase, limits: DisturbanceLimits): string | null {
  const why: string[] = [];
  if (beside.stealPercent !== null && beside.stealPercent > limits.stealPercent) why.push(`steal ${beside.stealPercent.toFixed(0)} %`);
  if (beside.othersPercent !== null && beside.othersPercent > limits.othersPercent) why.push(`others ${beside.othersPercent.toFixed(0)} % of a core`);
  return why.length > 0 ? why.join('; ') : null;
}

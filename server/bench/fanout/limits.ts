/**
 * The limits the fan-out benchmark raises, as settings for a Rubicon server:
 * every budget a benchmark from one address would spend is raised to a
 * million, and each keeps its shipped window length (burst ÷ rate, 4 s for
 * commands per seat and per session, 10 s per socket). Raising the rate too,
 * as the benchmark did until 4 December, made every window 1 s long, so each
 * seat's counter and its expiry timer were made anew for nearly every
 * message: a cost of the benchmark's settings, not of what ships.
 *
 * Handed to every Rubicon contender (the baseline's too, whose own script
 * may still raise the rates), so an A/B in one run compares like with like.
 */
import { loadConfig } from '../../src/config.ts';
import { budgetOf, type Rate } from '../../src/limits/rate-limit.ts';

const HIGH = 1_000_000;

/** `burst` raised to a million at the rate that keeps `rate`'s window length. */
function raised(prefix: string, rate: Rate): Record<string, string> {
  const { windowSeconds } = budgetOf(rate);
  return { [`${prefix}_BURST`]: String(HIGH), [`${prefix}_PER_SEC`]: String(HIGH / windowSeconds) };
}

export function benchLimitSettings(): Record<string, string> {
  const shipped = loadConfig({}).limits;
  return {
    ...raised('RATE_LIMIT', shipped.seat),
    ...raised('SESSION_RATE_LIMIT', shipped.session),
    ...raised('SOCKET_RATE_LIMIT', shipped.socket),
    ...raised('HELLO_RATE_LIMIT', shipped.helloPerAddress),
    ...raised('HTTP_RATE_LIMIT', shipped.httpPerAddress),
    // Every join is counted until its code is found: 48 sessions' joins in flight at once (slower to give back on Redis) would hit the guessing limit.
    JOIN_FAILURES_PER_WINDOW: String(HIGH),
    // 200 sessions a run from one address, and with Redis the day's count outlives the run.
    SESSIONS_PER_ADDRESS: String(HIGH),
  };
}

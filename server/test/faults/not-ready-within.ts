/**
 * When processes turned not ready after Redis stopped. A process PINGs Redis
 * every 100 ms and turns not ready once one PING has gone 400 ms unanswered
 * (docs/protocol.md: within 500 ms of the stop), on its own timers, so its
 * event loop's delay comes on top; it logs a warning at that moment. A test
 * that asked once after a fixed 600 ms left 100 ms for that delay, and the
 * servers' loops lagged 105-313 ms in loaded runs; one that polled until a
 * bound measured its own requests as well, which took 300 ms and more each at
 * load 14 (7 December). So the time is read from the process's warning, and
 * the test's own view of it is only waited for.
 */
import { waitFor, type ChildServer } from '../harness.ts';
import { health } from './fault-harness.ts';

/** The warning a process logs as a readiness PING goes unanswered for its timeout: it is not ready from then. */
export const SLOW_PING = 'did not answer a readiness PING in time';

/**
 * The 500 ms promised and 400 ms for the process's timers under load. Still short of the 1 s a command waits
 * (STORE_TIMEOUT_MS), so readiness that waited for commands to fail is caught, and of never: issue 10's
 * defect, `redis: "ok"` for as long as Redis was down.
 */
export const NOT_READY_WITHIN_MS = 900;

/**
 * How much longer a readiness answer may take than /healthz/live asked of the
 * same process in the same moment (the control: the same HTTP round trip and
 * event loop, without readiness). The server waits 50 ms at most; the rest is
 * its timers' delay under the writers' load. The old per-request PING took
 * 400 ms or more on a stopped Redis, whatever the load, so this bound tells the
 * two apart. A bound on the answer alone was missed at load 13 with Redis up
 * (309 ms, the first probe; 7 December), where readiness waits for nothing.
 */
export const READY_BEYOND_LIVE_MS = 250;

/** How long the test may take to see what the processes did: its requests wait on loaded processes too. */
const SEEN_WITHIN_MS = 10_000;

/** Waits until every process answers /healthz/ready 503 and `also(url)` holds (what else turns with it). */
export async function untilNotReady(urls: readonly string[], also: (url: string) => Promise<boolean> = async () => true): Promise<void> {
  const down = async (url: string) => (await health(url)).status === 503 && (await also(url));
  await waitFor(async () => (await Promise.all(urls.map(down))).every(Boolean), SEEN_WITHIN_MS, 'every process not ready');
}

/** A log line's time; NaN for a line not yet whole (its output comes in chunks). */
function timeOf(line: string): number {
  try {
    return (JSON.parse(line) as { time: number }).time;
  } catch {
    return Number.NaN;
  }
}

/** The wall-clock time of the process's first SLOW_PING warning at or after `since`, if it wrote one. */
function warnedAt(server: ChildServer, since: number): number | undefined {
  const times = server
    .output()
    .split('\n')
    .filter((line) => line.includes(SLOW_PING))
    .map(timeOf)
    .filter((time) => time >= since);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** How long after `stoppedAt` (Date.now() as Redis was stopped) each process turned not ready, by its warning. */
export async function notReadyAfter(servers: readonly ChildServer[], stoppedAt: number): Promise<number[]> {
  await waitFor(() => servers.every((s) => warnedAt(s, stoppedAt) !== undefined), SEEN_WITHIN_MS, 'every process warned of a PING unanswered');
  return servers.map((s) => (warnedAt(s, stoppedAt) ?? Number.NaN) - stoppedAt);
}

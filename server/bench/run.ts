/**
 * Rubicon's benchmark: prints figures, asserts nothing.
 *
 *   npm run bench        (node --expose-gc --import tsx server/bench/run.ts)
 *
 * 1. engine: commands applied per second through whole april-2024 games, and µs per applyEntry;
 *    1b. whole games per second through the headless runner (analysis/runner.ts);
 *    1c. rubicon simulate: persona games per second on one thread (wall and CPU time) and on two worker threads
 *        (a cold batch, then a warm one, with each worker's games per CPU second of its own thread),
 *        each against the aim (met / NOT met);
 * 2. replay: a 10,000-event log from zero, and a snapshot plus the last 100 events;
 *    2b. the replay viewer's code path: rebuilding that log in events/s, and a scrub to a random event;
 * 3. views: viewFor / messagesFor with 2,000 messages in the session, and view sizes;
 * 4. memory: heap per in-memory session (exact with --expose-gc);
 * 5. the server end to end on loopback, with the memory store and then Redis
 *    (REDIS_URL or redis://127.0.0.1:6379, under a unique key prefix deleted afterwards);
 * 6. contention: one session on Redis written by 40 sockets through 3 server processes
 *    (a closed loop at saturation: commands/s and acknowledgement percentiles; then paced at
 *    CONTENTION_RATE, default 1,000 cmd/s offered: achieved rate and percentiles from each
 *    command's due time; one command per append against batched appends, alternating, and
 *    the goals; contention.ts);
 * 7. join-code guessing: the wrong-code budget one address gets against 5,000 live codes,
 *    and the expected time to a first right guess from 1 and from many addresses (join-guessing.ts);
 * 8. fan-out against the floor: the same client harness against a bare Socket.IO room broadcast
 *    and against Rubicon, 200 sessions × 6 sockets at 1 and 5 public messages/s per seat, then
 *    Redis with 2 processes (fanout.ts; docs/performance.md says what each figure means).
 *
 * Everything is bounded (sections 1-7 about a minute, section 8 about five more) and the process
 * exits by itself. FANOUT=0 leaves section 8 out; its own settings are in fanout.ts.
 */
import os from 'node:os';
import { benchEngine, benchHeadless, benchMemory, benchReplay, benchViews } from './engine.ts';
import { benchServer, redisReachable } from './server-e2e.ts';
import { benchContentionAB, CONTENTION_DEFAULTS, contentionRatesFromEnv } from './contention.ts';
import { benchSimulate } from './simulate.ts';
import { benchReplayViewer } from './replay-viewer.ts';
import { benchJoinGuessing, GUESSING_DEFAULTS } from './join-guessing.ts';
import { benchFanout, fanoutOptionsFromEnv } from './fanout.ts';
import { machineInfo, now, Report } from './stats.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** ~500 timed messages, then five senders for at most 4 s (400 messages each). */
const E2E = { roundTrips: 500, perSender: 400, throughputMs: 4000, warmup: 50, timeoutMs: 45_000 };

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = os.loadavg()[0] ?? 0;
  const t0 = now();
  const report = new Report();
  // Read (and FANOUT_NODE's binaries checked) first, so a wrong path fails now, not after sections 1-7.
  const fanout = process.env.FANOUT !== '0' ? fanoutOptionsFromEnv(REDIS_URL) : null;
  process.stderr.write('Rubicon benchmark: running (figures follow as they come; the table is printed at the end)\n');

  benchEngine(report, { games: 40, throughputMs: 2000, latencyMs: 1500 });
  benchHeadless(report, { games: 5000, maxMs: 3000 });
  await benchSimulate(report, { maxMs: 2000, poolGames: 6000 });
  const long = benchReplay(report, { events: 10_000, tail: 100, runs: 5 });
  benchReplayViewer(report, long, { runs: 5, scrubs: 200 });
  benchViews(report, long, { messages: 2000, maxMs: 400 });
  benchMemory(report, { sessions: 200, events: 60 });

  await benchServer(report, 'memory', E2E);
  const unreachable = await redisReachable(REDIS_URL);
  if (unreachable) report.note(`Redis at ${REDIS_URL} is not reachable (${unreachable}): the Redis server run was skipped.`);
  else {
    await benchServer(report, 'redis', E2E, REDIS_URL);
    await benchContentionAB(report, { redisUrl: REDIS_URL, ...CONTENTION_DEFAULTS, rates: contentionRatesFromEnv() }, 2);
  }
  await benchJoinGuessing(report, GUESSING_DEFAULTS);
  if (fanout) await benchFanout(report, fanout);

  report.note('Server runs: the app runs in this process, the 7 client sockets in a forked Node process; both talk over loopback on the same machine.');
  report.note('Server runs use the production defaults except the command (per seat and per session) and hello limits, raised so the bursts from one address are not refused.');
  const machine = machineInfo(startedAt, (now() - t0) / 1000, loadBefore);
  if (Math.max(machine.loadBefore, machine.loadAfter) > machine.cpus)
    report.note(`The machine was busy (load average above its ${machine.cpus} CPUs): tail latencies (p95/p99) are inflated by other processes.`);
  report.print(machine);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

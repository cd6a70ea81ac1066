/**
 * The fan-out benchmark's clients, one harness for both targets, run in a
 * process of its own (forked by fanout.ts): the sessions set up
 * (harness-setup.ts), the load sent on a fixed grid of due times
 * (harness-load.ts, send-grid.ts), every delivery tallied (harness-tally.ts),
 * and the phase's figures returned. Every message carries its send time;
 * every socket that receives it records send → receipt.
 */
import { now, quantile } from '../stats.ts';
import { histogramOf } from './latency-histogram.ts';
import { GcLog, type GcRecord } from './tail-legs.ts';
import { markCompactShare, type MarkCompactPause, type MarkCompactShare } from './mark-compacts.ts';
import { harnessGcOf } from './harness-gc.ts';
import { HeapWatch, type HarnessHeap } from './harness-heap.ts';
import { Tally, tailOf, tailRecords } from './harness-tally.ts';
import { harnessClient, setUp, sleep, type SessionSockets } from './harness-setup.ts';
import { load } from './harness-load.ts';
import { startHarnessProfile } from './harness-profile.ts';
import { SOCKETS_PER_SESSION, type FromHarness, type HarnessOptions, type HarnessResult, type SendLateness, type ToHarness } from './types.ts';

async function drain(options: HarnessOptions, tally: Tally): Promise<void> {
  const until = now() + options.drainMs;
  while (now() < until && !tally.settled(SOCKETS_PER_SESSION)) await new Promise((r) => setTimeout(r, 50));
}

/** The deliveries against the servers' mark-compact pauses, which the orchestrator sends once the window has ended (null: none came, or the servers do not record them). */
async function markCompactsOf(tally: Tally, pauses: Promise<MarkCompactPause[] | null>): Promise<MarkCompactShare | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000).unref());
  const got = await Promise.race([pauses, timeout]);
  if (!got) return null;
  const origin = performance.timeOrigin + tally.windowStart;
  return markCompactShare(
    tally.sentAt.map((ms) => origin + ms),
    tally.latencies,
    got,
    quantile(tally.latencies, 0.99),
  );
}

/**
 * Set-up's garbage collected before the load (Rubicon's hello answers carry
 * whole views, bare's carry nothing), so the harness does not start the
 * window nearer its next mark-compact against one contender than the other
 * (docs/performance/fan-out-log.md, "A fairer fan-out harness"). On by default
 * since then; FANOUT_HARNESS_GC=0 leaves it out, as the figures before it were
 * taken.
 */
function collectSetUp(): void {
  if (process.env.FANOUT_HARNESS_GC !== '0') (globalThis as { gc?: () => void }).gc?.();
}

/** The phase's figures from the tally once the window has closed and the deliveries have drained. */
async function resultOf(tally: Tally, sessions: SessionSockets[], w: { setupMs: number; cpu: NodeJS.CpuUsage; gcs: GcRecord[]; lateness: SendLateness; heap: HarnessHeap }, pauses: Promise<MarkCompactPause[] | null>): Promise<HarnessResult> {
  const windowMs = tally.windowEnd - tally.windowStart;
  const { lost, duplicated, deliveredUnacknowledged } = tally.losses(SOCKETS_PER_SESSION);
  return {
    lost,
    duplicated,
    deliveredUnacknowledged,
    sockets: sessions.reduce((k, s) => k + s.all.length, 0),
    sent: tally.sent,
    acknowledged: tally.acknowledged,
    refused: tally.refused,
    unacknowledged: tally.unacknowledged,
    expected: tally.acknowledged * SOCKETS_PER_SESSION,
    received: tally.received,
    deliveriesPerSecond: (tally.inWindow / windowMs) * 1000,
    latencies: histogramOf(tally.latencies),
    p50: quantile(tally.latencies, 0.5),
    p95: quantile(tally.latencies, 0.95),
    p99: quantile(tally.latencies, 0.99),
    max: tally.latencies.reduce((a, b) => Math.max(a, b), 0),
    lateOver2s: tally.latencies.reduce((k, ms) => (ms > 2000 ? k + 1 : k), 0),
    setupMs: w.setupMs,
    harnessCpuPercent: (w.cpu.user + w.cpu.system) / 10 / windowMs,
    // Which client (harness-socket.ts) is part of what the harness's figures mean.
    node: `${process.version} (${harnessClient} client)`,
    tail: tailOf(tally, windowMs),
    gc: { ...harnessGcOf(w.gcs), heap: w.heap },
    gcPauses: w.gcs,
    sendLateness: w.lateness,
    ...(process.env.FANOUT_TAIL === '1' ? { tailRecords: tailRecords(tally, w.gcs) } : {}),
    markCompacts: await markCompactsOf(tally, pauses),
  };
}

export async function runHarness(options: HarnessOptions, tell: (m: FromHarness) => void, go: Promise<void>, pauses: Promise<MarkCompactPause[] | null> = Promise.resolve(null)): Promise<HarnessResult> {
  const tally = new Tally();
  const t0 = now();
  const sessions = await setUp(options, tally);
  const setupMs = now() - t0;
  collectSetUp();
  try {
    tell({ type: 'ready' });
    await go;
    const sending = load(options, sessions, tally);
    await sleep(options.warmupMs);
    tell({ type: 'load-start' });
    // Always on (one entry per collection): the harness's mark-compacts in the window are part of every phase's report.
    const gcLog = new GcLog();
    gcLog.start();
    const heap = new HeapWatch();
    heap.begin();
    const profile = await startHarnessProfile(options.target);
    const cpu = process.cpuUsage();
    tally.windowStart = now();
    await sleep(options.loadMs);
    sending.stop();
    tally.windowEnd = now();
    const used = process.cpuUsage(cpu);
    await profile?.stop();
    const gcs = gcLog.stop();
    const heapFigures = heap.stop();
    tell({ type: 'load-end' });
    await drain(options, tally);
    if (tally.firstRefusal) process.stderr.write(`  fan-out harness: first refusal: ${tally.firstRefusal}\n`);
    return await resultOf(tally, sessions, { setupMs, cpu: used, gcs, lateness: sending.lateness(), heap: heapFigures }, pauses);
  } finally {
    for (const s of sessions) for (const socket of s.all) socket.close();
  }
}

// Forked by fanout.ts: wait for the options, set up, wait for go, run, report, leave.
if (process.send && process.argv.includes('--fanout-harness')) {
  const send = (m: FromHarness) => process.send?.(m);
  let goResolve: () => void = () => {};
  const go = new Promise<void>((resolve) => (goResolve = resolve));
  let pausesResolve: (p: MarkCompactPause[] | null) => void = () => {};
  const pauses = new Promise<MarkCompactPause[] | null>((resolve) => (pausesResolve = resolve));
  process.on('message', (m: ToHarness) => {
    if (m.type === 'go') goResolve();
    else if (m.type === 'mark-compacts') pausesResolve(m.pauses);
    else
      runHarness(m.options, send, go, pauses)
        .then((result): FromHarness => ({ type: 'done', result }))
        .catch((err: unknown): FromHarness => ({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
        // Disconnected only once the last message is written: a large one (FANOUT_TAIL's records) was cut off otherwise.
        .then((last) => process.send?.(last, () => process.disconnect()));
  });
}

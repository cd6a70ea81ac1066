/**
 * The peer benchmark: the same client harness (fanout/harness.ts) against a
 * bare Socket.IO server doing the same room broadcasts (fanout/bare-server.ts)
 * and against Rubicon (fanout/rubicon-server.ts), 200 sessions × 6 sockets,
 * four seats per session sending public messages at 1 and then 5 a second,
 * then both on Redis with two processes. Each phase has fresh server
 * processes and a fresh harness process, so the server's CPU time and memory
 * are its own; the phases' order rotates from round to round and, with
 * FANOUT_ROUND_OFFSET, from call to call (fanout/phase-order.ts).
 *
 * Run alone:  node --expose-gc --import tsx server/bench/fanout.ts
 *   FANOUT_SESSIONS (200), FANOUT_LOAD_MS (20000), FANOUT_WARMUP_MS (3000, sending before the window, not measured), FANOUT_RATES ("1,5"),
 *   FANOUT_ROUNDS (1), FANOUT_REDIS_RATE (1; 0 skips the Redis phases), REDIS_URL,
 *   FANOUT_ROUND_OFFSET (0): the index of this call's first round in a series of calls run one round each and pooled; call i (0, 1, 2, …)
 *     with FANOUT_ROUND_OFFSET=i runs its phases in the order round i of one long run would: rotated among each Node's phases, the Nodes' groups
 *     rotated too, so each contender takes each place once every (Nodes × contenders per Node) calls (fanout/phase-order.ts); each phase's place
 *     is printed with the round and saved (FANOUT_SAVE), and fanout-pool.ts reads CPU per delivery over bare by place; not a whole number ≥ 0, the run stops,
 *   FANOUT_CPU_PROF=<dir> (a .cpuprofile of each server process over the load window),
 *   FANOUT_NODE_FLAGS="--max-semi-space-size=32 …" (extra Node flags for every server process, bare and Rubicon alike),
 *   FANOUT_WINDOW_MARKS=<file> (each server process appends its pid and the window's start and end on its own clock, to cut a V8 log at the window: fanout/v8-log-window.ts),
 *   FANOUT_THREAD_SWITCHES=<file> (each server process appends one JSON line per load window: every thread's voluntary and involuntary context switches and CPU ticks, the window on the monotonic and epoch clocks; fanout/thread-switches.ts;
 *     with FANOUT_TAIL_DUMP and a `perf record` of sched_switch, stall-report.ts splits each long event-loop stall into GC, preemption by whom, sleep and the rest),
 *   FANOUT_HEAP_PROF=<dir> (instead, a sampling .heapprofile of what each server process allocated over the load window),
 *   FANOUT_VARIANT="RECOVERY_MS=0,…" (a third phase: Rubicon with these settings),
 *   FANOUT_BASELINE=<another checkout> (a third phase: that checkout's Rubicon, an A/B of code in one run, with this checkout's limit settings, fanout/limits.ts),
 *   FANOUT_TSX=1 (the servers under tsx, as before, rather than as compiled JavaScript, compile.ts; a baseline's too),
 *   FANOUT_NODE=<node binary>[,<node binary>…] (the servers, bare and Rubicon alike, on that Node; several: every contender on each, in the same rounds; an entry may add its own flags, "<binary> --max-semi-space-size=16", for a flag's A/B in one run; fanout/node-binaries.ts),
 *   FANOUT_HARNESS_NODE=<node binary> (the harness on that Node, for every phase; the bench's own by default),
 *   FANOUT_HARNESS_CLIENT=light|full (the harness's client sockets, bare and Rubicon alike: light, the default since a34229b (7 December), is `ws`
 *     speaking the engine.io/socket.io framing itself; full is socket.io-client, as every reading before then; fanout/harness-socket.ts),
 *   FANOUT_HARNESS_CPU_PROF=<dir> (a .cpuprofile of the harness process over the load window, and its user/system CPU; fanout/harness-profile.ts),
 *   FANOUT_STEAL_MAX (5, % of the machine's cores), FANOUT_OTHERS_MAX (15, % of a core): past either over its window, or FANOUT_STEAL_SECOND_MAX
 *     (25, % of the machine's cores) over its worst second (fanout/steal-burst.ts), a phase is marked disturbed (fanout/disturbance.ts);
 *     so is a late harness (its sends' lateness p99 past the larger of 5 ms and 1.5 × the median of the phases judged together, for causes outside
 *     the server: disturbance.ts, lateLimitOf), judged over the call's phases of a condition once they are in, and over all the rounds when pooled (the pool's verdict is the one a closing reading uses),
 *   FANOUT_SAVE=<file> (every condition's rounds as JSON, for fanout-pool.ts to summarise several runs at once),
 *   FANOUT_BALLAST="grow;static=48+grow;burn=20" (further bare contenders, one per ";"-separated entry, named "bare [ballast …]": the bare server keeping objects shaped
 *     like Rubicon's message log, about 540 B in six objects a message: "grow" for every broadcast message, "static=<MB>" that many MB made before the load;
 *     its heap without its work, for whether the p99 gap is the heap's; or "burn=<µs>", that much CPU spun per message before its broadcast, for the p99 a
 *     given CPU per delivery reads; fanout/ballast.ts; ratios over bare, and Rubicon's over each),
 *   FANOUT_TAIL_DUMP=<dir> (with FANOUT_TAIL=1: each one-process phase's raw stamps, server and harness, as JSON: every GC's start and pause, every iteration, the slow deliveries),
 *   FANOUT_HARNESS_OLD_SPACE_MB=<MB> (the harness's --initial-old-space-size, 1024 by default: no mark-compact in its window below it; 0 for V8's default, as before 6 December, 16:00 UTC; fanout/harness-heap.ts),
 *   FANOUT_HARNESS_FLAGS="<flags>" (further Node/V8 flags for the harness process, e.g. "--trace-gc"; its output goes to the bench's),
 *   FANOUT_HARNESS_GC=0 (the harness leaves its set-up's garbage in place; by default it collects it with gc() before the load, bare and Rubicon alike, so its own mark-compacts are not set-up's leftovers landing in one contender's window),
 *   FANOUT_IDLE=separate|inline|inline,separate (where the idle-memory figure is taken, bare and Rubicon alike; fanout/options.ts):
 *     separate (the default since 5 December, 23:50 UTC): from servers of its own, set up, collected with gc() and stopped before the
 *     load phase's fresh servers, which never meet a forced gc(), so the window's mark-compacts fall where a long-running
 *     server's would; inline: as before, the load phase's own servers collected with gc() twice at the end of set-up, which
 *     sets V8's old-generation limit the window then meets (figures from before then); both: each contender with each,
 *     in the same rounds, named "[idle …]".
 *
 * Every phase also gives its servers' mark-compacts (final pauses) per minute of load and the share of deliveries in flight
 * during one, of all and of those past the p99 (fanout/mark-compacts.ts); with several rounds, pooled over the undisturbed
 * ones, with the p99 of the deliveries no mark-compact caught. A 10 s window holds 0, 1 or 2 of them: for the rate, pool
 * rounds or lengthen the window (FANOUT_LOAD_MS=60000).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { deleteKeys, redisReachable } from './server-e2e.ts';
import { machineInfo, now, Report } from './stats.ts';
import { SOCKETS_PER_SESSION, type SendLateness } from './fanout/types.ts';
import { benchLimitSettings } from './fanout/limits.ts';
import { CompiledServers } from './compile.ts';
import { disturbedRows, judgeRounds, summariseRounds, type RatioPair, type RoundFigures } from './fanout/rounds-summary.ts';
import { phaseOrder, type PhasePosition } from './fanout/phase-order.ts';
import { saveRun, type SavedCondition } from './fanout/saved-rounds.ts';
import { fanoutOptionsFromEnv, type FanoutOptions, type IdlePlacement } from './fanout/options.ts';
import { runPhase, type Contender, type Runnable } from './fanout/phase.ts';
import type { PhaseResult } from './fanout/phase-figures.ts';
import { nodeKey, nodeLabel, type NodeBinary } from './fanout/node-binaries.ts';
import { addPhase, addRatios } from './fanout/phase-report.ts';
import { ballastName } from './fanout/ballast.ts';

export { FANOUT_DEFAULTS, fanoutOptionsFromEnv, type FanoutOptions } from './fanout/options.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Condition {
  label: string;
  rate: number;
  processes: number;
  redis: boolean;
}

export async function benchFanout(report: Report, options: FanoutOptions): Promise<void> {
  const conditions: Condition[] = options.rates.map((rate) => ({ label: `memory, 1 process, ${rate} msg/s per seat`, rate, processes: 1, redis: false }));
  if (options.redisRate > 0) {
    const unreachable = await redisReachable(options.redisUrl);
    if (unreachable) report.note(`Redis at ${options.redisUrl} is not reachable (${unreachable}): the fan-out Redis phases were skipped.`);
    else conditions.push({ label: `Redis, 2 processes, ${options.redisRate} msg/s per seat`, rate: options.redisRate, processes: 2, redis: true });
  }
  const compiled = new CompiledServers();
  try {
    const contenders = await runnable(contendersOf(options), options.tsx, compiled);
    const saved: SavedCondition[] = [];
    for (const c of conditions) {
      const rounds: Map<string, RoundFigures>[] = [];
      for (let round = 0; round < options.rounds; round++) rounds.push(await runRound(report, c, round, contenders, options));
      // The summary judges a late harness over the call's rounds; with one round, the judgement alone.
      const judged = judgeRounds(rounds);
      const rows = options.rounds > 1 ? summariseRounds(rounds, ratioPairs(contenders)) : disturbedRows(judged.rounds, judged.limit);
      for (const row of rows) report.add(`8 fan-out (${c.label}${options.rounds > 1 ? `, over ${options.rounds} rounds` : ''})`, row.name, row.value, '');
      saved.push({ label: c.label, rounds: rounds.map((r) => Object.fromEntries(r)) });
    }
    if (options.save) {
      await saveRun(options.save, { version: 1, savedAt: new Date().toISOString(), pairs: ratioPairs(contenders), conditions: saved });
      report.note(`Fan-out rounds saved to ${options.save} (FANOUT_SAVE); summarise several runs with: node --import tsx server/bench/fanout-pool.ts <file>…`);
    }
  } finally {
    await compiled.dispose();
  }
  report.note(
    `Fan-out: ${options.sessions} sessions × ${SOCKETS_PER_SESSION} sockets; ${options.loadMs / 1000} s of load per phase after ${options.warmupMs / 1000} s of sending not measured; each message is delivered to its session's 6 sockets (the sender's too); server and harness in separate processes on this machine, over loopback; ` +
      (options.tsx ? 'servers under tsx (FANOUT_TSX=1, keepNames wrappers included).' : 'servers as plain JavaScript (an esbuild bundle of each, no keepNames, run by node without tsx).'),
  );
  report.note(`Fan-out Node: servers on ${options.serverNodes.map((n) => `${nodeLabel(n)} (${n.path})`).join(' and ')}${options.serverNodes.length > 1 ? ', every contender on each' : ''}; the harness on ${options.harnessNode.version} (${options.harnessNode.path}) in every phase.`);
  report.note(`Fan-out idle figure (FANOUT_IDLE=${options.idle.join(',')}): ${options.idle.map((i) => (i === 'separate' ? 'separate: from servers of its own, stopped before the load phase, whose servers never met a forced gc()' : "inline: the load phase's own servers after gc() at the end of set-up")).join('; ')}.`);
  if (options.pin) report.note('FANOUT_PIN=1: in the memory phases each server ran on CPU 0 and the harness on CPU 1 from the end of set-up (taskset -a); the Redis phases were not pinned.');
}

/** Each contender over bare on the same Node, then each contender on a further Node over itself on the first. */
function ratioPairs(contenders: readonly Contender[]): RatioPair[] {
  const pairs: RatioPair[] = contenders.flatMap((c) => (c.against ? [{ label: `${c.name}/${c.against}`, of: c.name, over: c.against }] : []));
  // Rubicon over each ballasted bare of its Node and idle placement too: how much of its gap the ballast's heap leaves.
  for (const c of contenders)
    if (c.target === 'rubicon' && c.against)
      for (const d of contenders) if (d.target === 'bare' && d.name !== c.against && nodeKey(d.node) === nodeKey(c.node) && d.idle === c.idle) pairs.push({ label: `${c.name}/${d.name}`, of: c.name, over: d.name });
  const first = contenders[0] ? nodeKey(contenders[0].node) : undefined;
  for (const c of contenders) {
    if (nodeKey(c.node) === first) continue;
    const same = contenders.find((d) => nodeKey(d.node) === first && d.base === c.base);
    if (same) pairs.push({ label: `${c.name}/${same.name}`, of: c.name, over: same.name });
  }
  return pairs;
}

function contendersOf(options: FanoutOptions): Contender[] {
  const ours = (file: string) => ({ entry: here(file), checkout: here('../..') });
  const kinds = [
    { name: 'bare', target: 'bare' as const, settings: {}, ...ours('./fanout/bare-server.ts') },
    ...options.ballasts.map((b) => ({ name: `bare [ballast ${ballastName(b)}]`, target: 'bare' as const, settings: { BALLAST: ballastName(b) }, ...ours('./fanout/bare-server.ts') })),
    { name: 'rubicon', target: 'rubicon' as const, settings: {}, ...ours('./fanout/rubicon-server.ts') },
    ...(options.variant ? [{ name: `rubicon [${Object.entries(options.variant).map(([k, v]) => `${k}=${v}`).join(' ')}]`, target: 'rubicon' as const, settings: options.variant, ...ours('./fanout/rubicon-server.ts') }] : []),
    ...(options.baseline
      ? [{ name: `rubicon [${path.basename(options.baseline)}]`, target: 'rubicon' as const, settings: benchLimitSettings(), entry: path.join(path.resolve(options.baseline), 'server/bench/fanout/rubicon-server.ts'), checkout: path.resolve(options.baseline) }]
      : []),
  ];
  // One Node and one idle placement keep the names (and so the rows) as they were; several name each contender's.
  const named = (name: string, node: NodeBinary) => (options.serverNodes.length > 1 ? `${name} @ ${nodeLabel(node)}` : name);
  const placed = (name: string, idle: IdlePlacement) => (options.idle.length > 1 ? `${name} [idle ${idle}]` : name);
  return options.serverNodes.flatMap((node) =>
    options.idle.flatMap((idle) =>
      kinds.map((k) => ({ ...k, name: named(placed(k.name, idle), node), base: placed(k.name, idle), node, idle, against: k.name === 'bare' ? null : named(placed('bare', idle), node) })),
    ),
  );
}

/** Every contender built the same way before the first phase, so no phase's figures include a build. */
async function runnable(contenders: Contender[], tsx: boolean, compiled: CompiledServers): Promise<Runnable[]> {
  return Promise.all(contenders.map(async (c) => ({ ...c, script: tsx ? c.entry : await compiled.script(c.entry, c.checkout) })));
}

/** One round of a condition: every contender once, in the order of its index over calls; returns each one's figures for the summary. */
async function runRound(report: Report, c: Condition, round: number, contenders: Runnable[], options: FanoutOptions): Promise<Map<string, RoundFigures>> {
  const section = `8 fan-out (${c.label}${options.rounds > 1 ? `, round ${round + 1}` : ''})`;
  const results = new Map<string, PhaseResult>();
  // Rotate the order over rounds and calls, so no contender always meets the machine fresher or after the same neighbour.
  const index = options.roundOffset + round;
  const order = phaseOrder(contenders, (k) => nodeKey(k.node), index);
  report.add(section, `phase order, round index ${index} (FANOUT_ROUND_OFFSET + round)`, order.map(({ item }) => item.name).join(' → '), '');
  for (const { item: contender } of order) {
    const prefix = c.redis ? `bench-fanout-${nanoid(8)}:` : null;
    try {
      const result = await runPhase(contender, c.processes, c.rate, options, prefix);
      results.set(contender.name, result);
      addPhase(report, section, contender.name, result);
    } finally {
      if (prefix) await deleteKeys(options.redisUrl, prefix);
    }
  }
  for (const pair of ratioPairs(contenders)) {
    const [of, over] = [results.get(pair.of), results.get(pair.over)];
    if (of && over) addRatios(report, section, pair.label, over, of);
  }
  const positions = new Map(order.map(({ item, position }) => [item.name, position]));
  return new Map([...results].map(([name, r]) => [name, { ...placeOf(positions, name), cpuMicrosPerDelivery: r.cpuMicrosPerDelivery, p99: r.harness.p99, disturbed: r.disturbed, latencies: r.harness.latencies, markCompacts: r.markCompacts, ...(r.harness.gc ? { harnessGc: r.harness.gc } : {}), ...(r.harness.sendLateness ? { sendLateness: withoutList(r.harness.sendLateness) } : {}), lateCauses: r.lateCauses }]));
}

function placeOf(positions: ReadonlyMap<string, PhasePosition>, name: string): { position?: PhasePosition } {
  const position = positions.get(name);
  return position ? { position } : {};
}

/** The figures without the late sends one by one: their causes are saved counted (RoundFigures.lateCauses). */
function withoutList(l: SendLateness): SendLateness {
  return { sends: l.sends, p50: l.p50, p99: l.p99, max: l.max };
}

// Run alone: just the fan-out table.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const startedAt = new Date();
  const loadBefore = os.loadavg()[0] ?? 0;
  const t0 = now();
  const report = new Report();
  benchFanout(report, fanoutOptionsFromEnv(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'))
    .then(() => report.print(machineInfo(startedAt, (now() - t0) / 1000, loadBefore)))
    .catch((err: unknown) => {
      process.stderr.write(`fan-out benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}

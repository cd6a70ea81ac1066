/**
 * Each server loop stall past STALL_MS (15 ms by default) in a fan-out phase,
 * by cause (fanout/stall-causes.ts says how it is split), one table row per
 * stall; with a .cpuprofile of the same process (FANOUT_CPU_PROF), the
 * functions its on-CPU rest was sampled in.
 *
 *   perf script -i sched.data --show-task-events -F tid,cpu,time,trace > sched.txt
 *   node --import tsx server/bench/stall-report.ts <switches.jsonl> <sched.txt> <dump.json> [<cpuprofile>]
 */
import { readFileSync } from 'node:fs';
import { episodesOf, epochToMonotonic, findStalls, gcIn, offCpu, parseSwitches, type Episode, type Switch } from './fanout/stall-causes.ts';
import { parsePerfScript } from './fanout/preemptions.ts';
import type { DeliveryRecord, HarnessTail, ServerTail } from './fanout/tail-legs.ts';
import { packetCost } from './fanout/tail-decompose.ts';

interface WindowLine {
  pid: number;
  server: string;
  node: string;
  monotonicNs: [string, string];
  epochMs?: [number, number];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  parent?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Stalls closer than this are one episode (stall-causes.ts, episodesOf). */
const JOIN_MS = 5;
/** The shortest stall an episode is built from. */
const PART_MS = 5;

const f1 = (x: number) => x.toFixed(1);
const named = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${f1(v)}`).join(', ') || '—';

/** A sample's place: its leaf and the innermost frame outside node's own code, "leaf < owner". */
function sampleNames(profile: CpuProfile): Map<number, string> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) { const child = byId.get(c); if (child) child.parent = n.id; }
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber + 1}`;
  const out = new Map<number, string>();
  for (const n of profile.nodes) {
    let owner: ProfileNode | undefined = n;
    while (owner && (owner.callFrame.url === '' || owner.callFrame.url.startsWith('node:'))) owner = owner.parent === undefined ? undefined : byId.get(owner.parent);
    out.set(n.id, owner && owner !== n ? `${label(n)} < ${label(owner)}` : label(n));
  }
  return out;
}

/** ms of samples by place inside [from, to] (monotonic s); V8's profile clock is CLOCK_MONOTONIC on Linux. */
function profiled(profile: CpuProfile, names: Map<number, string>, from: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  let t = profile.startTime / 1e6;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1e6;
    t += dt;
    if (t < from || t > to) continue;
    const name = names.get(profile.samples[i] ?? -1) ?? '?';
    out.set(name, (out.get(name) ?? 0) + dt * 1000);
  }
  return out;
}

const PARENT = /PERF_RECORD_FORK\((\d+):(\d+)\):\((\d+):/;

/**
 * Who took the CPU: the phase's harness (the first process forked after its server), the server's own threads,
 * the bench's orchestrator (the server's parent) and the processes it forked but these two (its esbuild service), or others by name.
 */
function labeller(text: string, pid: number): (s: Switch) => string {
  const forks = parsePerfScript(text);
  const harness = Math.min(...forks.processes.filter((p) => p > pid));
  const parentOf = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = PARENT.exec(line);
    if (m && m[1] === m[2]) parentOf.set(Number(m[1]), Number(m[3]));
  }
  const bench = parentOf.get(pid);
  return (s) => {
    const owner = forks.processOf.get(s.next) ?? s.next;
    if (owner === harness) return s.next === harness ? 'harness main' : 'harness helper';
    if (owner === pid) return `own ${s.nextName}`;
    if (owner === bench || (bench !== undefined && parentOf.get(owner) === bench)) return `bench ${s.nextName}`;
    return s.nextName.replace(/\d+/g, 'N');
  };
}

interface Context {
  server: ServerTail;
  toMono: (e: number) => number;
  pid: number;
  switches: Switch[];
  label: (s: Switch) => string;
  window0: number;
  msPerPacket: number;
  slow: DeliveryRecord[];
}

/** The slow deliveries (past the phase's p99) in flight during [from, to]. */
const caught = (from: number, to: number, slow: readonly DeliveryRecord[]): number => slow.filter(([, sent, received]) => sent < to && received > from).length;

/** Who preempted, in classes: the harness, the server's own threads (V8's helpers), the bench, ksoftirqd, or the host's others. */
function preempterClass(who: string): string {
  if (who.startsWith('harness')) return 'harness';
  if (who.startsWith('own ')) return 'own threads';
  if (who.startsWith('bench ')) return 'bench';
  if (who.startsWith('ksoftirqd')) return 'ksoftirqd';
  return 'host';
}

const CLASSES = ['GC', 'harness', 'ksoftirqd', 'own threads', 'bench', 'host', 'asleep', 'on CPU past its packets'] as const;

interface EpisodeFigures {
  ms: number;
  packets: number;
  iterations: number;
  lost: Map<string, number>;
  onCpu: number;
  packetsCost: number;
  gcKinds: Map<string, number>;
  caught: number;
}

function figures(e: Episode, c: Context): EpisodeFigures {
  const lost = new Map<string, number>(CLASSES.map((k) => [k, 0]));
  const add = (k: string, ms: number) => lost.set(k, (lost.get(k) ?? 0) + ms);
  const gcKinds = new Map<string, number>();
  let onCpu = 0;
  let packetsCost = 0;
  let packets = 0;
  for (const s of e.stalls) {
    const gc = gcIn(c.server.gcs, s.from, s.to);
    for (const [k, ms] of gc.byKind) gcKinds.set(k, (gcKinds.get(k) ?? 0) + ms);
    add('GC', gc.ms);
    const off = offCpu(c.switches, c.pid, c.toMono(s.from), c.toMono(s.to), c.label);
    for (const [who, ms] of off.by) add(preempterClass(who), ms);
    add('asleep', off.sleepingMs);
    onCpu += Math.max(0, s.to - s.from - gc.ms - off.runnableMs - off.sleepingMs);
    if (s.kind === 'iteration') {
      packetsCost += s.packets * c.msPerPacket;
      packets += s.packets;
    }
  }
  // On-CPU time past what its packets cost at the window's rate: a long task of its own, or the host's steal (invisible to the scheduler's trace).
  add('on CPU past its packets', Math.max(0, onCpu - packetsCost));
  return { ms: e.to - e.from, packets, iterations: e.stalls.length, lost, onCpu, packetsCost, gcKinds, caught: caught(e.from, e.to, c.slow) };
}

const dominant = (f: EpisodeFigures): string => [...f.lost].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '—';

function printEpisodes(episodes: Episode[], c: Context): void {
  console.log(`| at | ms | long iterations, packets | ${CLASSES.join(' | ')} | on CPU; its packets' cost | past the p99 in flight | most |`);
  console.log(`| --- | --- | --- | ${CLASSES.map(() => '---').join(' | ')} | --- | --- | --- |`);
  const sums = new Map<string, number>();
  const lostSums = new Map<string, number>(CLASSES.map((k) => [k, 0]));
  let span = 0;
  let caughtAny = 0;
  for (const e of episodes) {
    const f = figures(e, c);
    span += f.ms;
    for (const [k, ms] of f.lost) lostSums.set(k, (lostSums.get(k) ?? 0) + ms);
    const most = dominant(f);
    sums.set(most, (sums.get(most) ?? 0) + 1);
    console.log(`| ${f1((e.from - c.window0) / 1000)} s | ${f1(f.ms)} | ${f.iterations}, ${f.packets} | ${CLASSES.map((k) => f1(f.lost.get(k) ?? 0)).join(' | ')} | ${f1(f.onCpu)}; ${f1(f.packetsCost)} | ${f.caught} | ${most}${most === 'GC' ? ` (${named(f.gcKinds)})` : ''} |`);
  }
  caughtAny = c.slow.filter((d) => episodes.some((e) => caught(e.from, e.to, [d]) > 0)).length;
  console.log(`| all ${episodes.length} | ${f1(span)} | | ${CLASSES.map((k) => f1(lostSums.get(k) ?? 0)).join(' | ')} | | | |`);
  console.log(`${episodes.length} episodes; most of each episode's lost time: ${named(sums)}; ${caughtAny} of the ${c.slow.length} deliveries past the p99 were in flight during one.`);
}

function main(args: string[]): void {
  const [windowsFile, schedFile, dumpFile, profileFile] = args;
  if (!windowsFile || !schedFile || !dumpFile) throw new Error('usage: stall-report.ts <switches.jsonl> <sched.txt> <dump.json> [<cpuprofile>]');
  const minMs = Number(process.env.STALL_MS ?? 15);
  const dump = JSON.parse(readFileSync(dumpFile, 'utf8')) as { name: string; server: ServerTail; harness: HarnessTail };
  const firstRead = dump.server.bursts.find((b) => b.at !== undefined)?.at ?? 0;
  const windows = readFileSync(windowsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as WindowLine);
  const window = windows.find((w) => w.epochMs && w.epochMs[0] <= firstRead + 1000 && firstRead <= w.epochMs[1]);
  if (!window?.epochMs) throw new Error(`no FANOUT_THREAD_SWITCHES window (with epochMs) holds ${dumpFile}'s first read`);
  const toMono = epochToMonotonic({ epochMs: window.epochMs, monotonicNs: window.monotonicNs });
  const text = readFileSync(schedFile, 'utf8');
  const switches = parseSwitches(text);
  const label = labeller(text, window.pid);
  const stalls = findStalls(dump.server, minMs);
  const whole = offCpu(switches, window.pid, Number(window.monotonicNs[0]) / 1e9, Number(window.monotonicNs[1]) / 1e9, label);
  console.log(`${dump.name} (${window.node}, pid ${window.pid}): ${stalls.length} stalls past ${minMs} ms (iterations, busy gaps); over the window the main thread was preempted ${f1(whole.runnableMs)} ms (${named(whole.by)}), asleep ${f1(whole.sleepingMs)} ms`);
  const context = { server: dump.server, toMono, pid: window.pid, switches, label, window0: window.epochMs[0], msPerPacket: packetCost(dump.server).burstMsPerPacket, slow: dump.harness.slow };
  // Episodes are built from every stall past PART_MS, so the preemption or pause that began a run of long iterations is in it; kept if one part is past minMs.
  const episodes = episodesOf(findStalls(dump.server, PART_MS), JOIN_MS).filter((e) => e.stalls.some((s) => s.to - s.from > minMs));
  printEpisodes(episodes, context);
  if (!profileFile) return;
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const names = sampleNames(profile);
  for (const s of stalls) {
    const by = [...profiled(profile, names, toMono(s.from), toMono(s.to))].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(`${f1((s.from - window.epochMs[0]) / 1000)} s: ${by.map(([k, v]) => `${k} ${f1(v)} ms`).join('; ')}`);
  }
}

main(process.argv.slice(2));

/** A phase's figures as the report's rows, and a pair's ratios (the names of these rows are what the docs and tests read). */
import type { Report } from '../stats.ts';
import { lateCausesLine } from './disturbance.ts';
import type { WindowThreads } from './thread-cpu.ts';
import { markCompactsPerMinute, type WindowMarkCompacts } from './mark-compacts.ts';
import type { KernelPerDelivery, PhaseResult } from './phase-figures.ts';
import type { ProcessCpu } from './process-cpu.ts';
import { STALL_GAP_MS, type TailAttribution, type TailLegs } from './tail-legs.ts';
import type { SpanSummary } from './types.ts';

export function addPhase(report: Report, section: string, target: string, r: PhaseResult): void {
  const h = r.harness;
  // Latencies are taken with performance.now (sub-millisecond); printed to 0.1 ms, since whole milliseconds made a
  // 3 ms p99 against a 4 ms one read as 1.33x where the ratio line (from the unrounded values) said otherwise.
  report.add(section, `${target}: send → receipt at every recipient, p50 / p95 / p99`, `${h.p50.toFixed(1)} / ${h.p95.toFixed(1)} / ${h.p99.toFixed(1)}`, 'ms');
  const t = h.tail;
  if (Number.isFinite(t.crossP99))
    report.add(section, `${target}: p50 / p99 at the sender's process · at the other`, `${t.sameP50.toFixed(1)} / ${t.sameP99.toFixed(1)} · ${t.crossP50.toFixed(1)} / ${t.crossP99.toFixed(1)}`, 'ms');
  report.add(section, `${target}: send → acknowledgement p50 / p99`, `${t.ackP50.toFixed(1)} / ${t.ackP99.toFixed(1)}`, 'ms');
  report.add(section, `${target}: past the p99: deliveries (crossing processes); by second sent`, `${t.slow} (${t.slowCross}); ${t.slowBySecond.join(' ')}`, '');
  report.add(section, `${target}: deliveries per second (max ${h.max.toFixed(0)} ms; ${h.lateOver2s} over 2 s)`, h.deliveriesPerSecond, '/s');
  report.add(section, `${target}: deliveries lost / duplicated, of those expected`, `${h.lost} / ${h.duplicated} of ${h.expected}`, '');
  report.add(section, `${target}: messages sent; refused; unacknowledged after 10 s (delivered anyway)`, `${h.sent}; ${h.refused}; ${h.unacknowledged} (${h.deliveredUnacknowledged})`, '');
  report.add(section, `${target}: server CPU during the load`, r.cpuPercent, '% of 1 core');
  report.add(section, `${target}: server CPU per delivery`, r.cpuMicrosPerDelivery, 'µs');
  report.add(section, `${target}: of which user / kernel`, `${(r.cpuMicrosPerDelivery - r.systemMicrosPerDelivery).toFixed(1)} / ${r.systemMicrosPerDelivery.toFixed(1)}`, 'µs');
  report.add(section, `${target}: server RSS idle / under load`, `${r.rssIdleMb.toFixed(0)} / ${r.rssLoadMb.toFixed(0)}`, 'MB');
  report.add(section, `${target}: server heap + external at the window's start / end (no collection forced)`, `${r.liveStartMb.toFixed(0)} / ${r.liveLoadMb.toFixed(0)}`, 'MB');
  report.add(section, `${target}: server memory per idle session (heap + external growth, 6 sockets)`, r.bytesPerIdleSession / 1024, 'KB');
  if (r.probe) {
    const p = r.probe;
    report.add(section, `${target}: heap allocated / promoted to the old generation, per delivery`, `${p.allocatedBytesPerDelivery.toFixed(0)} / ${p.promotedBytesPerDelivery.toFixed(0)}`, 'B');
    const direct = p.oldDirectBytesPerDelivery;
    if (direct !== null) report.add(section, `${target}: old generation entered per delivery: promoted + allocated there at once (pretenured, large)`, `${(p.promotedBytesPerDelivery + direct).toFixed(0)} = ${p.promotedBytesPerDelivery.toFixed(0)} + ${direct.toFixed(0)}`, 'B');
    report.add(section, `${target}: collections (major); pauses, % of the window; longest`, `${p.collections} (${p.majorCollections}); ${p.gcPausePercent.toFixed(1)} %; ${p.gcMaxPauseMs.toFixed(1)} ms`, '');
    report.add(section, `${target}: event-loop delay p50 / p99 / max (5 ms timer)`, `${p.loopDelayMs.p50.toFixed(1)} / ${p.loopDelayMs.p99.toFixed(1)} / ${p.loopDelayMs.max.toFixed(1)}`, 'ms');
    if (p.kernel) addKernel(report, section, target, p.kernel);
  }
  if (r.markCompacts) addMarkCompacts(report, section, target, r.markCompacts);
  report.add(section, `${target}: Node: server process(es) · harness`, `${[...new Set(r.nodes.servers)].join(', ')} · ${r.nodes.harness}`, '');
  report.add(section, `${target}: harness CPU during the load; set-up time`, `${h.harnessCpuPercent.toFixed(0)} %; ${(h.setupMs / 1000).toFixed(1)} s`, '');
  if (h.gc) report.add(section, `${target}: the harness's mark-compacts in the window (longest); scavenges`, `${h.gc.markCompacts} (${h.gc.longestMarkCompactMs.toFixed(1)} ms); ${h.gc.scavenges}`, '');
  if (h.gc && h.gc.markCompacts > 0 && h.gc.forExternalMemory !== undefined)
    report.add(section, `${target}: of the harness's mark-compacts: for external memory; forced; at V8's dynamic old-generation limit (not its cap)`, `${h.gc.forExternalMemory}; ${h.gc.forced ?? 0}; ${h.gc.markCompacts - h.gc.forExternalMemory - (h.gc.forced ?? 0)}`, '');
  const heap = h.gc?.heap;
  if (heap) report.add(section, `${target}: the harness's heap used at the window's start / end / most; V8's cap; external at the end`, `${heap.startMb.toFixed(0)} / ${heap.endMb.toFixed(0)} / ${heap.peakMb.toFixed(0)}; ${heap.limitMb.toFixed(0)}; ${heap.externalEndMb.toFixed(1)}`, 'MB');
  const late = h.sendLateness;
  if (late) report.add(section, `${target}: the harness's sends against their due times, late by p50 / p99 / max (sends)`, `${late.p50.toFixed(2)} / ${late.p99.toFixed(2)} / ${late.max.toFixed(1)} ms (${late.sends})`, '');
  if (r.lateCauses) report.add(section, `${target}: the harness's late sends by cause (disturbed only by its own GC and other processes; kept for the server's threads or no cause)`, lateCausesLine(r.lateCauses), '');
  if (r.threads) report.add(section, `${target}: threads over the window, % of a core: server main / helpers · harness main / helpers · others; the harness's wait for a core`, threadsLine(r.threads), '');
  const { redisPercent, stealPercent } = r.machine;
  if (r.othersPercent !== null)
    report.add(section, `${target}: Redis CPU; the rest of the machine (not server, harness, Redis or steal)`, `${redisPercent === null ? '-' : redisPercent.toFixed(0)}; ${r.othersPercent.toFixed(0)}`, '% of 1 core');
  const second = r.machine.stealSecondPercent == null ? '-' : `${r.machine.stealSecondPercent.toFixed(1)} %`;
  if (stealPercent !== null) report.add(section, `${target}: the host's steal, % of the machine's cores, over the window / its worst second; disturbed`, `${stealPercent.toFixed(1)} % / ${second}; ${r.disturbed === null ? 'no' : `yes (${r.disturbed})`}`, '');
  if (r.disturbed !== null && r.machine.topOthers.length > 0) report.add(section, `${target}: disturbed by: the other processes with the most CPU over the window (pid comm, % of a core: command line)`, othersLine(r.machine.topOthers), '');
  if (r.tailLegs) addTailLegs(report, section, target, r.tailLegs);
  const names = [...new Set(r.spans.flatMap((s) => Object.keys(s)))];
  for (const name of names) {
    const each = r.spans.map((s) => s[name]).filter((x): x is SpanSummary => x !== undefined);
    report.add(section, `${target}: ${name}, p50 / p99 / max (calls), each process`, each.map((x) => `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} / ${x.max.toFixed(0)} (${x.n})`).join(' · '), 'ms');
  }
}

function addMarkCompacts(report: Report, section: string, target: string, m: WindowMarkCompacts): void {
  const s = m.share;
  const pc = (n: number, of: number) => `${of > 0 ? ((n / of) * 100).toFixed(1) : '-'} %`;
  const held = s ? `${pc(s.inFlight, s.deliveries)} of all (${s.inFlight}) · ${pc(s.slowInFlight, s.slow)} of those past the p99 (${s.slowInFlight} of ${s.slow})` : 'not counted';
  report.add(section, `${target}: mark-compacts (final pauses) per minute of load, all processes; deliveries in flight during one`, `${markCompactsPerMinute([m]).toFixed(1)} (${m.count} in ${(m.windowMs / 1000).toFixed(0)} s); ${held}`, '');
}

function threadsLine(t: WindowThreads): string {
  const f = (x: number) => x.toFixed(0);
  return `${f(t.serverMain)} / ${f(t.serverHelpers)} · ${f(t.harnessMain)} / ${f(t.harnessHelpers)} · ${t.others === null ? '-' : f(t.others)}; ${t.harnessWaitMsPerSecond.toFixed(1)} ms a second`;
}

function othersLine(top: readonly ProcessCpu[]): string {
  return top.map((p) => `${p.pid} ${p.comm}, ${p.percent.toFixed(0)} %: ${p.cmdline || '-'}`).join(' · ');
}

function addKernel(report: Report, section: string, target: string, k: KernelPerDelivery): void {
  report.add(section, `${target}: per delivery, write calls; bytes written; read calls`, `${k.writeCalls.toFixed(3)}; ${k.bytesWritten.toFixed(0)} B; ${k.readCalls.toFixed(3)}`, '');
  report.add(section, `${target}: per delivery, minor page faults; context switches`, `${k.minorFaults.toFixed(4)}; ${k.switches.toFixed(4)}`, '');
  report.add(section, `${target}: per delivery, main thread user / kernel · other threads user / kernel (10 ms ticks)`, `${k.mainUserMicros.toFixed(1)} / ${k.mainSystemMicros.toFixed(1)} · ${k.otherUserMicros.toFixed(1)} / ${k.otherSystemMicros.toFixed(1)}`, 'µs');
}

function addTailLegs(report: Report, section: string, target: string, a: TailAttribution): void {
  const f = (x: number) => x.toFixed(2);
  const pc = (x: number) => `${(x * 100).toFixed(0)} %`;
  const row = (l: TailLegs) => `${f(l.toRead)} / ${f(l.readToEmit)} / ${f(l.emitToTickEnd)} / ${f(l.tickEndToReceipt)} ms; burst ${l.burst}; GC server ${pc(l.serverGc)}, harness ${pc(l.harnessGc)}; deferred ${pc(l.deferred)} (n ${l.n})`;
  report.add(section, `${target}: legs, median send→read / read→broadcast / broadcast→tick end / tick end→receipt: past the p99`, row(a.slow), '');
  report.add(section, `${target}: the same legs, every 10th delivery`, row(a.all), '');
  report.add(section, `${target}: packets read per loop iteration p50/p99/max; its length p50/p99/max`, `${a.burstN.join(' / ')}; ${a.burstMs.map(f).join(' / ')} ms`, '');
  const g = (x: TailAttribution['serverGcs']) => `${x.count} (${x.minor} scavenges), ${f(x.totalMs)} ms, longest ${f(x.maxMs)} ms`;
  report.add(section, `${target}: GCs in the window: server · harness`, `${g(a.serverGcs)} · ${g(a.harnessGcs)}`, '');
  report.add(section, `${target}: past the p99: distinct messages; stalls (receipts ${STALL_GAP_MS} ms apart or more); the largest's share`, `${a.slowMessages}; ${a.stalls}; ${pc(a.largestStall)}`, '');
}

/** `label` names the pair, e.g. "rubicon/bare". */
export function addRatios(report: Report, section: string, label: string, over: PhaseResult, of: PhaseResult): void {
  // From the unrounded figures, never from the printed ones.
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  report.add(section, `${label}: p50 · p95 · p99`, `${x(of.harness.p50, over.harness.p50)} · ${x(of.harness.p95, over.harness.p95)} · ${x(of.harness.p99, over.harness.p99)}`, '');
  report.add(section, `${label}: server CPU per delivery`, x(of.cpuMicrosPerDelivery, over.cpuMicrosPerDelivery), '');
  if (of.probe && over.probe) report.add(section, `${label}: heap allocated per delivery`, x(of.probe.allocatedBytesPerDelivery, over.probe.allocatedBytesPerDelivery), '');
  report.add(section, `${label}: memory per idle session`, x(of.bytesPerIdleSession, over.bytesPerIdleSession), '');
}

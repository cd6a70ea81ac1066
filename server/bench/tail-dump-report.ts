/**
 * The slow deliveries' time by cause, from FANOUT_TAIL_DUMP's files
 * (fanout/tail-decompose.ts says how it is split). One table row per cause,
 * one column pair per dump file (past the p99; every 10th delivery).
 *
 *   node --import tsx server/bench/tail-dump-report.ts <dump.json> [<dump.json> …]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BURST_PACKETS, CAUSES, decompose, iterationHiccups, packetCost, type Decomposition } from './fanout/tail-decompose.ts';
import type { HarnessTail, ServerTail } from './fanout/tail-legs.ts';

interface Dump {
  name: string;
  server: ServerTail;
  harness: HarnessTail;
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : '—');

function column(file: string): { label: string; slow: Decomposition; all: Decomposition; hiccups: string; cost: string } {
  const dump = JSON.parse(readFileSync(file, 'utf8')) as Dump;
  const h = iterationHiccups(dump.server);
  const c = packetCost(dump.server);
  return {
    cost: `${f3(c.burstMsPerPacket)}; ${f3(c.loneMs)}; ${pct(c.burstShare)}`,
    label: `${dump.name} (${path.basename(file)})`,
    hiccups: `${h.gaps.map(f2).join(' / ')}; ${h.count}, ${f2(h.totalMs)} ms`,
    slow: decompose(dump.harness.slow, dump.server, dump.harness.gcs),
    all: decompose(dump.harness.sample, dump.server, dump.harness.gcs),
  };
}

function main(files: string[]): void {
  if (files.length === 0) throw new Error('usage: tail-dump-report.ts <FANOUT_TAIL_DUMP file> …');
  const cols = files.map(column);
  const row = (title: string, pick: (d: Decomposition) => string) => `| ${title} | ${cols.map((c) => `${pick(c.slow)} · ${pick(c.all)}`).join(' | ')} |`;
  const lines = [
    `| ms per delivery, past the p99 · every 10th | ${cols.map((c) => c.label).join(' | ')} |`,
    `| --- | ${cols.map(() => '---').join(' | ')} |`,
    row('deliveries', (d) => String(d.n)),
    row('mean send → receipt', (d) => f2(d.meanMs)),
    ...CAUSES.map((cause) => row(cause, (d) => f2(d.causes[cause]))),
    row('own iteration: packets read (median)', (d) => f2(d.ownBurstN)),
    row('own iteration: ms from first read (median)', (d) => f2(d.ownBurstMs)),
    row('longest earlier iteration since send (median ms)', (d) => f2(d.longestEarlierMs)),
    row('met a server mark-compact', (d) => pct(d.metMarkCompact)),
    row('met a server scavenge', (d) => pct(d.metScavenge)),
    `| the window's iterations: ms per packet in those of ${BURST_PACKETS} or more; a lone packet's, median ms; share of packets in them | ${cols.map((c) => c.cost).join(' | ')} |`,
    `| read to next read in one iteration, p50 / p99 / p99.9 ms; gaps over 1 ms with no server GC in them: count, ms | ${cols.map((c) => c.hiccups).join(' | ')} |`,
  ];
  console.log(lines.join('\n'));
}

main(process.argv.slice(2));

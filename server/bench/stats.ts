/** Small helpers for the benchmark: samples, percentiles, the machine and the printed table. */
import os from 'node:os';
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

/** The 0-based index of the q-th quantile (0..1) among n sorted samples, by nearest rank; shared with histograms (fanout/latency-histogram.ts). */
export function nearestRank(n: number, q: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

/** The q-th quantile (0..1) of the samples, by nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[nearestRank(sorted.length, q)] as number;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

/**
 * Calls `fn` until `maxIterations` calls or `maxMs` have passed (at least
 * `minIterations`), timing each call. Returns the per-call times in µs.
 */
export function sampleMicros(fn: () => unknown, limits: { minIterations?: number; maxIterations: number; maxMs: number }): number[] {
  const samples: number[] = [];
  const deadline = now() + limits.maxMs;
  const min = limits.minIterations ?? 10;
  for (let i = 0; i < limits.maxIterations; i++) {
    if (i >= min && now() > deadline) break;
    const t0 = now();
    fn();
    samples.push((now() - t0) * 1000);
  }
  return samples;
}

/** Forces a full collection twice when the process runs with --expose-gc; false otherwise. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

export const gcExposed = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function';

export interface Row {
  section: string;
  name: string;
  value: number | string;
  unit: string;
}

/** Collects the figures and prints them as one table at the end. */
export class Report {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  private readonly started = now();

  add(section: string, name: string, value: number | string, unit: string): void {
    this.rows.push({ section, name, value, unit });
    // A running trace on stderr, so a long run shows where it is.
    process.stderr.write(`  [${((now() - this.started) / 1000).toFixed(1)} s] ${section} · ${name}: ${formatValue(value)} ${unit}\n`);
  }

  note(text: string): void {
    this.notes.push(text);
    process.stderr.write(`  note: ${text}\n`);
  }

  print(machine: MachineInfo): void {
    const out: string[] = [];
    out.push('');
    out.push('Rubicon benchmark');
    out.push(`  node ${machine.node} · ${machine.platform} · ${machine.cpus} CPU (${machine.cpuModel}) · ${machine.memoryGb} GB RAM · gc exposed: ${machine.gcExposed ? 'yes' : 'no'}`);
    out.push(`  load average (1 min) ${machine.loadBefore.toFixed(2)} at start, ${machine.loadAfter.toFixed(2)} at end · started ${machine.startedAt}, took ${machine.tookSeconds.toFixed(1)} s`);
    out.push('');
    const nameWidth = Math.max(4, ...this.rows.map((r) => r.name.length));
    const valueWidth = Math.max(5, ...this.rows.map((r) => formatValue(r.value).length));
    const unitWidth = Math.max(4, ...this.rows.map((r) => r.unit.length));
    const line = (name: string, value: string, unit: string) => `  ${name.padEnd(nameWidth)}  ${value.padStart(valueWidth)}  ${unit.padEnd(unitWidth)}`.trimEnd();
    out.push(line('name', 'value', 'unit'));
    out.push(`  ${'-'.repeat(nameWidth)}  ${'-'.repeat(valueWidth)}  ${'-'.repeat(unitWidth)}`);
    let section = '';
    for (const row of this.rows) {
      if (row.section !== section) {
        section = row.section;
        out.push(`  [${section}]`);
      }
      out.push(line(row.name, formatValue(row.value), row.unit));
    }
    if (this.notes.length > 0) {
      out.push('');
      out.push('Notes');
      for (const n of this.notes) out.push(`  - ${n}`);
    }
    out.push('');
    process.stdout.write(out.join('\n') + '\n');
  }
}

export function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export interface MachineInfo {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGb: string;
  gcExposed: boolean;
  /** One-minute load averages when the run started and ended. */
  loadBefore: number;
  loadAfter: number;
  startedAt: string;
  tookSeconds: number;
}

export function machineInfo(startedAt: Date, tookSeconds: number, loadBefore: number): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: (os.totalmem() / 1024 ** 3).toFixed(1),
    gcExposed: gcExposed(),
    loadBefore,
    loadAfter: os.loadavg()[0] ?? 0,
    startedAt: startedAt.toISOString(),
    tookSeconds,
  };
}

/**
 * What a fault test leaves behind when it fails, so that a failure seen once
 * (on a loaded CI machine, say) explains itself without a rerun: each step of
 * the test with its time and the machine's load, which process was killed and
 * how every process ended, what each writer sent and was answered, the log as
 * a live process exports it, and every process's own output. Written on
 * failure, and on every run when FAULT_LOG_DIR names a directory (for stress
 * runs that keep the logs of passing runs to compare with).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '@rubicon/shared';
import type { ChildServer } from '../harness.ts';
import type { CommandRecord, LogAudit, PrivateRedis, RedisLife, Writer } from './fault-harness.ts';

/** A client whose stream version is worth recording (an observer, the facilitator). */
export interface Holder {
  label: string;
  url: string;
  version: number;
}

/** What the test holds when it ends; the report asks for it then, so it is never stale. A test without a game leaves it empty. */
export interface FaultState {
  writers?: readonly Writer[];
  others?: readonly Holder[];
  /** A fresh export of the log from a live process, or why there is none. */
  exportLog?(): Promise<LogEntry[]>;
  audit?(log: readonly LogEntry[]): LogAudit;
}

interface Tracked {
  name: string;
  server: ChildServer;
  /** Set when the test killed it on purpose. */
  killedAtMs?: number;
}

export class FaultReport {
  private readonly t0 = performance.now();
  private readonly startedAt = new Date().toISOString();
  private readonly steps: string[] = [];
  private readonly processes: Tracked[] = [];
  private redis: PrivateRedis | undefined;

  constructor(private readonly name: string) {}

  /** Milliseconds since the test started. */
  now(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** One step of the test, with the time and the machine's one-minute load. */
  step(what: string): void {
    this.steps.push(`+${this.now()} ms, ${new Date().toISOString().slice(11)} (load ${loadavg()[0]?.toFixed(1)}): ${what}`);
  }

  /** A process to report on; `name` says which it is in the test's plan ("B, the one to die"). */
  track(name: string, server: ChildServer): void {
    this.processes.push({ name, server });
    this.step(`${name} listening at ${server.url}, pid ${server.child.pid ?? '?'}, started in ${server.startedInMs} ms`);
  }

  /** The test's Redis: what is done to it becomes a step, and each of its processes is reported. */
  trackRedis(redis: PrivateRedis): void {
    this.redis = redis;
    this.step(`Redis on port ${redis.port}, pid ${redis.lives[redis.lives.length - 1]?.proc.pid ?? '?'}`);
    redis.notify = (what) => this.step(`Redis ${what}`);
  }

  /** The test is about to kill this one. */
  killing(server: ChildServer): void {
    const tracked = this.processes.find((p) => p.server === server);
    if (tracked) tracked.killedAtMs = this.now();
    this.step(`kill -9 ${tracked?.name ?? server.url}`);
  }

  /** Writes the report to FAULT_LOG_DIR (or a new directory under the temp dir) and returns a summary for the test's output. */
  async write(state: FaultState, errors: readonly unknown[] = []): Promise<string> {
    const dir = join(process.env.FAULT_LOG_DIR ?? join(tmpdir(), 'rubicon-fault-reports'), `${this.name}-${this.startedAt.replace(/[:.]/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    const writers = state.writers ?? [];
    const { log, logLines } = await exported(state);
    const lives = this.redis?.lives ?? [];
    const summary = [
      `${this.name}, started ${this.startedAt}, report at +${this.now()} ms (load now ${loadavg().map((l) => l.toFixed(1)).join(' ')})`,
      ...errors.map((e) => `error: ${errorText(e)}`),
      'steps:',
      ...this.steps.map((s) => `  ${s}`),
      'processes:',
      ...this.processes.map((p) => `  ${processLine(p)}`),
      ...lives.map((life, i) => `  Redis ${i === 0 ? '' : `(start ${i + 1}) `}port ${this.redis?.port ?? '?'} pid ${life.proc.pid ?? '?'}: ${life.stopped ? 'held by SIGSTOP' : howEnded(life.proc)}`),
      ...(writers.length > 0 || state.others ? ['writers:'] : []),
      ...writers.map((w) => `  ${writerLine(w)}`),
      ...(state.others ?? []).map((h) => `  ${h.label}: at version ${h.version} through ${h.url}`),
      ...logLines,
      `files: ${dir}`,
    ].join('\n');
    writeFileSync(join(dir, 'summary.txt'), `${summary}\n`);
    if (writers.length > 0) writeFileSync(join(dir, 'writers.json'), JSON.stringify(writers.map((w) => ({ label: w.label, failovers: w.failovers, records: w.records })), null, 1));
    if (log) writeFileSync(join(dir, 'log.jsonl'), log.map((e) => JSON.stringify({ seq: e.seq, at: e.at, commandId: e.commandId, by: e.by, type: e.command.type })).join('\n'));
    for (const [i, p] of this.processes.entries()) writeFileSync(join(dir, `process-${i}-${p.name.replace(/\W+/g, '_')}.log`), p.server.output());
    for (const [i, life] of lives.entries()) writeFileSync(join(dir, `redis-${i}.log`), life.output());
    return summary;
  }
}

/** The log as a live process exports it now, and the summary's lines about it (none for a test without a game). */
async function exported(state: FaultState): Promise<{ log: LogEntry[] | null; logLines: string[] }> {
  if (!state.exportLog) return { log: null, logLines: [] };
  try {
    const log = await state.exportLog();
    const audit = state.audit ? [`audit: ${JSON.stringify(state.audit(log))}`] : [];
    return { log, logLines: [`log: ${log.length} entries, last seq ${log[log.length - 1]?.seq ?? 0}`, ...audit] };
  } catch (error) {
    return { log: null, logLines: [`log: not exported (${String(error)})`] };
  }
}

/** vitest hands the errors over serialised: objects with the message, not Error instances. */
function errorText(error: unknown): string {
  const message = typeof error === 'object' && error !== null && 'message' in error ? error.message : undefined;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

function howEnded(proc: RedisLife['proc']): string {
  return proc.exitCode !== null ? `exited ${proc.exitCode}` : proc.signalCode !== null ? `ended by ${proc.signalCode}` : 'running';
}

function processLine(p: Tracked): string {
  const { child } = p.server;
  const killed = p.killedAtMs === undefined ? '' : `, killed by the test at +${p.killedAtMs} ms`;
  return `${p.name} ${p.server.url} pid ${child.pid ?? '?'}: ${howEnded(child)}${killed}`;
}

function recordLine(r: CommandRecord): string {
  const answers = r.answers.map((a) => `${a.ok ? `ok v${a.version ?? '?'}${a.duplicate ? ' duplicate' : ''}` : a.code ?? '?'} sent ${new Date(a.sentAt).toISOString().slice(11)} in ${Math.round(a.ms)} ms`);
  return `${r.commandId} ${r.final}, ${r.unanswered} unanswered; ${answers.join('; ') || 'no answer'}`;
}

function writerLine(w: Writer): string {
  const count = (final: CommandRecord['final']) => w.records.filter((r) => r.final === final).length;
  const slowest = Math.max(0, ...w.records.flatMap((r) => r.answers.map((a) => a.ms)));
  // The commands a failure is most likely about: those sent more than once, and the last (possibly still in flight).
  const resent = w.records.filter((r) => r.unanswered > 0 || r.answers.length > 1);
  const last = w.records[w.records.length - 1];
  const failovers = w.failovers.map((f) => `(${f.why}) ${f.from} -> ${f.to} at ${new Date(f.at).toISOString().slice(11)} in ${f.ms} ms`);
  return [
    `${w.label}: at version ${w.client.version} through ${w.client.url}; ` +
      `${w.records.length} sent: ${count('ok')} acked, ${count('refused')} refused, ${count('gave-up')} gave up or in flight; slowest answer ${Math.round(slowest)} ms`,
    ...failovers.map((f) => `    failover ${f}`),
    ...[...resent, ...(last && !resent.includes(last) ? [last] : [])].map((r) => `    ${recordLine(r)}`),
  ].join('\n');
}

/**
 * How long one export of a long session holds the server's main thread. A server process
 * (server/src/main.ts, in memory by default, on Redis with --backend redis) with loop-probe.ts preloaded
 * imports an 8,000-entry session file once, then answers GET /api/sessions/:id/export round after round;
 * for each export the probe reports, from inside the process, the longest event-loop delay, the stalls over
 * 20 ms, the time the main thread's event loop was busy and the CPU of every thread. The export's wall time
 * is measured here. A second of idling is probed first: the busy time the probe's own 1 ms timer costs is
 * taken off each export's at that rate.
 *
 * EXPORT_BURST_BASELINE=<another checkout>: that checkout's server runs beside this one's, and the exports
 * alternate between the two (A, B, A, B...) so the machine's load falls on both alike.
 *
 * --compiled: each server runs as the shipped build does, bundled (compile.ts) and started with plain node,
 * so its export workers start without tsx.
 *
 * Standalone: node --import tsx server/bench/export-burst.ts [--rounds N] [--entries N] [--backend memory|redis] [--compiled]
 * Bounded: a few seconds per export, 127.0.0.1 only, the keys deleted afterwards (Redis).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nanoid } from 'nanoid';
import type { CreateSessionResponse } from '@rubicon/shared';
import { longSessionFile, probedEnv, repoRoot, startProbed, type Probe, type Probed } from './probed-server.ts';
import { deleteKeys } from './server-e2e.ts';
import { quantile } from './stats.ts';

interface Sample {
  label: string;
  wallMs: number;
  bytes: number;
  /** The main thread's busy time less what idling costs over the same span. */
  busyMs: number;
  probe: Probe;
}

interface Exporting {
  server: Probed;
  session: CreateSessionResponse;
  /** Busy time of the idle main thread (the probe's own timer) per ms. */
  idleBusyPerMs: number;
}

async function prepare(server: Probed, body: string): Promise<Exporting> {
  const res = await fetch(new URL('/api/sessions/import', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (res.status !== 201) throw new Error(`${server.label}: import answered ${res.status}`);
  const session = (await res.json()) as CreateSessionResponse;
  await sleep(500);
  await server.read();
  await sleep(1000);
  const idle = await server.read();
  return { server, session, idleBusyPerMs: idle.busyMs / idle.spanMs };
}

async function exportOnce({ server, session, idleBusyPerMs }: Exporting): Promise<Sample> {
  await server.read();
  const t0 = performance.now();
  const res = await fetch(new URL(`/api/sessions/${session.sessionId}/export`, server.url), { headers: { authorization: `Bearer ${session.facilitatorToken}` } });
  const bytes = (await res.arrayBuffer()).byteLength;
  const wallMs = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${server.label}: export answered ${res.status}`);
  // What follows the answer (the worker stopped) belongs to the export too.
  await sleep(200);
  const probe = await server.read();
  return { label: server.label, wallMs, bytes, busyMs: probe.busyMs - idleBusyPerMs * probe.spanMs, probe };
}

function summary(samples: Sample[]): string {
  const med = (xs: number[]) => quantile(xs, 0.5).toFixed(0);
  const max = (xs: number[]) => Math.max(...xs).toFixed(0);
  const loop = samples.map((s) => s.probe.maxMs);
  const busy = samples.map((s) => s.busyMs);
  const cpu = samples.map((s) => s.probe.cpuMs);
  const wall = samples.map((s) => s.wallMs);
  return `longest event-loop delay median ${med(loop)} ms (max ${max(loop)}); main thread busy ${med(busy)} ms (max ${max(busy)}); CPU all threads ${med(cpu)} ms; export ${med(wall)} ms (max ${max(wall)})`;
}

function printed(when: string, sample: Sample): Sample {
  const stalls = sample.probe.stalls.map((x) => `${x.ms}@${x.atMs}`).join(' ');
  console.log(
    `${when} ${sample.label}: loop max ${sample.probe.maxMs.toFixed(1)} ms, busy ${sample.busyMs.toFixed(0)} ms, CPU ${sample.probe.cpuMs.toFixed(0)} ms, export ${sample.wallMs.toFixed(0)} ms (${(sample.bytes / 1e6).toFixed(2)} MB); stalls over 20 ms (ms@at): ${stalls || 'none'}`,
  );
  return sample;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const rounds = Number(opt('--rounds', '5'));
  const entries = Number(opt('--entries', '8000'));
  const redis = opt('--backend', 'memory') === 'redis';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-export-burst-${nanoid(6)}:`;
  const env = probedEnv(redis ? { url: redisUrl, prefix } : null);
  const body = longSessionFile('export-burst', entries);
  console.log(`export-burst: ${entries} entries (${(body.length / 1e6).toFixed(2)} MB imported), ${redis ? 'Redis' : 'memory'}, ${args.includes('--compiled') ? 'compiled' : 'tsx'}, ${rounds} rounds`);
  const baseline = process.env.EXPORT_BURST_BASELINE;
  const compiled = args.includes('--compiled') ? await mkdtemp(path.join(tmpdir(), 'export-burst-')) : undefined;
  const dirOf = (name: string) => (compiled ? path.join(compiled, name) : undefined);
  const servers = [
    ...(baseline ? [await startProbed(baseline, `baseline ${baseline}`, env, dirOf('baseline'))] : []),
    await startProbed(repoRoot, `this ${repoRoot}`, env, dirOf('this')),
  ];
  const samples: Sample[] = [];
  try {
    const targets: Exporting[] = [];
    for (const s of servers) targets.push(await prepare(s, body));
    // One export each first: the first worker compiles its modules, the first hashes warm the JIT. Printed, not summed.
    for (const t of targets) printed('first', await exportOnce(t));
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) samples.push(printed(`round ${round}`, await exportOnce(t)));
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    if (redis) await deleteKeys(redisUrl, prefix);
    if (compiled) await rm(compiled, { recursive: true, force: true });
  }
  for (const s of servers) console.log(`${s.label}: ${summary(samples.filter((x) => x.label === s.label))}`);
}

await main();

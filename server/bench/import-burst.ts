/**
 * How long one large import holds the server's main thread. A server
 * process (server/src/main.ts on Redis, as production runs it; in memory with --backend memory) with
 * loop-probe.ts preloaded takes an 8,000-entry session file (~2.4 MB) through
 * POST /api/sessions/import; the probe reports, from inside the process, the
 * longest event-loop delay during the import, the stalls over 20 ms, and the
 * CPU the import cost (all threads). The import's wall time is measured here.
 *
 * IMPORT_BURST_BASELINE=<another checkout>: that checkout's server runs
 * beside this one's, and the imports alternate between the two (A, B, A,
 * B...) so the machine's load falls on both alike.
 *
 * IMPORT_BURST_PROFILE_DIR=<dir>: each server process (and import worker) writes a V8 CPU profile there.
 *
 * --compiled: each server runs as the shipped build does, bundled (compile.ts) and started with plain node,
 * so its import workers start without tsx. The Node is the one that runs this script.
 *
 * Each round also prints the main thread's garbage collection (its total, and each collection of 5 ms or
 * more as kind ms@at), so a stall can be matched with a collection.
 *
 * Standalone: node --import tsx server/bench/import-burst.ts [--rounds N] [--entries N] [--backend redis|memory] [--compiled]
 * Bounded: a few seconds per import, 127.0.0.1 only, the keys deleted afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nanoid } from 'nanoid';
import { longSessionFile, probedEnv, repoRoot, startProbed, type Probe, type Probed } from './probed-server.ts';
import { deleteKeys } from './server-e2e.ts';
import { quantile } from './stats.ts';

interface Sample {
  label: string;
  wallMs: number;
  probe: Probe;
}

async function importOnce(server: Probed, body: string): Promise<Sample> {
  await server.read();
  const t0 = performance.now();
  const res = await fetch(new URL('/api/sessions/import', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.text();
  const wallMs = performance.now() - t0;
  if (res.status !== 201) throw new Error(`${server.label}: import answered ${res.status}`);
  // What follows the answer (bots adopted, the session loaded) belongs to the import too.
  await new Promise((r) => setTimeout(r, 300));
  return { label: server.label, wallMs, probe: await server.read() };
}

function summary(samples: Sample[]): string {
  const med = (xs: number[]) => quantile(xs, 0.5).toFixed(0);
  const max = (xs: number[]) => Math.max(...xs).toFixed(0);
  const loop = samples.map((s) => s.probe.maxMs);
  const wall = samples.map((s) => s.wallMs);
  const cpu = samples.map((s) => s.probe.cpuMs);
  const gc = samples.map((s) => s.probe.gcMs);
  return `longest event-loop delay median ${med(loop)} ms (max ${max(loop)}); import ${med(wall)} ms (max ${max(wall)}); CPU ${med(cpu)} ms per import; main thread's GC ${med(gc)} ms per import`;
}

function printed(round: number, sample: Sample): Sample {
  const { probe } = sample;
  const stalls = probe.stalls.map((x) => `${x.ms}@${x.atMs}`).join(' ') || 'none';
  const gcs = probe.gcs.map((g) => `${g.kind} ${g.ms}@${g.atMs}`).join(', ') || 'none';
  console.log(
    `round ${round} ${sample.label}: loop max ${probe.maxMs.toFixed(1)} ms, p99 ${probe.p99Ms.toFixed(1)} ms, import ${sample.wallMs.toFixed(0)} ms, CPU ${probe.cpuMs.toFixed(0)} ms; stalls over 20 ms (ms@at): ${stalls}; GC ${probe.gcMs.toFixed(0)} ms, over 5 ms: ${gcs}`,
  );
  return sample;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const rounds = opt('--rounds', 5);
  const entries = opt('--entries', 8000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-import-burst-${nanoid(6)}:`;
  const backendAt = args.indexOf('--backend');
  const redis = backendAt < 0 || args[backendAt + 1] !== 'memory';
  const env = probedEnv(redis ? { url: redisUrl, prefix } : null);
  const body = longSessionFile('import-burst', entries);
  const compiled = args.includes('--compiled') ? await mkdtemp(path.join(tmpdir(), 'import-burst-')) : undefined;
  const dirOf = (name: string) => (compiled ? path.join(compiled, name) : undefined);
  console.log(`import-burst: ${entries} entries, ${(body.length / 1e6).toFixed(2)} MB, ${redis ? 'Redis' : 'memory'}, ${compiled ? 'compiled' : 'tsx'}, node ${process.version}, ${rounds} rounds`);
  const baseline = process.env.IMPORT_BURST_BASELINE;
  const servers = [
    ...(baseline ? [await startProbed(baseline, `baseline ${baseline}`, env, dirOf('baseline'))] : []),
    await startProbed(repoRoot, `this ${repoRoot}`, env, dirOf('this')),
  ];
  const samples: Sample[] = [];
  try {
    // One import each first: the first worker compiles its modules, the first XADDs warm the JIT.
    for (const s of servers) await importOnce(s, body);
    for (let round = 1; round <= rounds; round++) {
      for (const s of servers) {
        samples.push(printed(round, await importOnce(s, body)));
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    if (redis) await deleteKeys(redisUrl, prefix);
    if (compiled) await rm(compiled, { recursive: true, force: true });
  }
  for (const s of servers) console.log(`${s.label}: ${summary(samples.filter((x) => x.label === s.label))}`);
}

await main();

// `npm run bench`'s peer benchmark (section 8), run small so CI keeps it working: the same
// harness against bare Socket.IO and against Rubicon, in memory and on Redis with two
// processes. It asserts what must hold at any size (every delivery arrives once, every
// figure is reported), never a speed: speed is for the benchmark's own table.
import { describe, expect, it } from 'vitest';
import { benchFanout, FANOUT_DEFAULTS } from '../bench/fanout.ts';
import { Report } from '../bench/stats.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRun, poolRuns } from '../bench/fanout/saved-rounds.ts';
import { summariseRounds } from '../bench/fanout/rounds-summary.ts';
import { harnessClientOf } from '../bench/fanout/harness-socket.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Runs the small bench into `report`, saving its round, and checks the summary over the saved rounds (fanout-pool.ts's path). */
async function runSavingRounds(report: Report): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fanout-save-'));
  const save = path.join(dir, 'rounds.json');
  try {
    // Every phase counts as disturbed (no share of a core is below -1000 %), so each names the other processes with the most CPU.
    const disturbance = { stealPercent: 5, stealSecondPercent: 25, othersPercent: -1000 };
    // The second call of a series (FANOUT_ROUND_OFFSET=1): its round runs Rubicon first.
    await benchFanout(report, { ...FANOUT_DEFAULTS, sessions: 4, loadMs: 2_000, warmupMs: 500, drainMs: 10_000, rates: [2], redisRate: 2, redisUrl, variant: null, baseline: null, save, disturbance, roundOffset: 1 });
    // FANOUT_SAVE's file gives the summary over rounds with the p99 of every delivery pooled (fanout-pool.ts's path).
    const { pairs, conditions } = poolRuns([await loadRun(save)]);
    expect(conditions.map((c) => c.rounds.length)).toEqual([1, 1]);
    // Each phase's place is saved, for the pool's reading by place.
    expect(conditions.map((c) => [c.rounds[0]?.get('rubicon')?.position?.inRound, c.rounds[0]?.get('bare')?.position?.inRound])).toEqual([[1, 2], [1, 2]]);
    for (const c of conditions) {
      const rows = summariseRounds(c.rounds, pairs);
      const pooled = rows.find((r) => r.name === 'rubicon/bare: p99 of the deliveries pooled, undisturbed pairs; all rounds')?.value;
      // On a disturbed machine there is no undisturbed pair; every round's pool is there either way.
      expect(pooled, c.label).toMatch(/^(\d+\.\d \/ \d+\.\d ms = \d+\.\d\d× \(1 rounds; [\d,]+ \/ [\d,]+ deliveries\)|no undisturbed pair); all \d+\.\d\d×$/);
      expect(rows.find((r) => r.name === 'bare: p99 of the deliveries pooled, undisturbed rounds · all rounds (deliveries)')?.value, c.label).toMatch(/· \d+\.\d ms \([\d,]+\)$/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One target's rows in one section: nothing lost or duplicated, its CPU, its Node, the machine's share and steal. */
function expectTargetRows(rows: Report['rows'], section: string, target: string): void {
  const lost = rows.find((r) => r.name === `${target}: deliveries lost / duplicated, of those expected`);
  const [, expected] = /^0 \/ 0 of (\d+)$/.exec(String(lost?.value)) ?? [];
  // 4 sessions × 4 seats × 2 msg/s × 2 s, each to 6 sockets: most of 384 expected at least.
  expect(Number(expected), `${section} ${target}: ${String(lost?.value)}`).toBeGreaterThan(200);
  const cpu = rows.find((r) => r.name === `${target}: server CPU per delivery`)?.value;
  expect(typeof cpu === 'number' && cpu > 0, `${section} ${target} CPU ${String(cpu)}`).toBe(true);
  // Each process says which Node it ran: by default, servers and harness alike, the one running this test; the harness its client too.
  expect(rows.find((r) => r.name === `${target}: Node: server process(es) · harness`)?.value).toBe(`${process.version} · ${process.version} (${harnessClientOf(process.env.FANOUT_HARNESS_CLIENT)} client)`);
  // The host's steal apart from the rest of the machine, and whether the phase counts as disturbed (Linux: /proc/stat).
  if (process.platform === 'linux') {
    expect(rows.find((r) => r.name === `${target}: Redis CPU; the rest of the machine (not server, harness, Redis or steal)`)?.value).toMatch(/^(-|\d+); -?\d+$/);
    // Over the window and over its worst second (steal-burst.ts, from the readings every 250 ms).
    expect(rows.find((r) => r.name === `${target}: the host's steal, % of the machine's cores, over the window / its worst second; disturbed`)?.value).toMatch(/^\d+\.\d % \/ \d+\.\d %; (no|yes \(.+\))$/);
  }
}

/**
 * A disturbed phase names who took the CPU (pid comm, % of a core: command line), never this bench's own harness
 * (told by its command line, this checkout's harness.ts: another checkout's bench running beside it is named, rightly).
 */
function expectDisturbersNamed(report: Report): void {
  const named = report.rows.filter((r) => r.name.endsWith(': disturbed by: the other processes with the most CPU over the window (pid comm, % of a core: command line)'));
  expect(named.length, 'phases naming other processes').toBeGreaterThan(0);
  const ownHarness = `${process.execPath} --import tsx ${fileURLToPath(new URL('../bench/fanout/harness.ts', import.meta.url))} --fanout-harness`.slice(0, 80);
  for (const row of named) {
    const entries = String(row.value).split(' · ');
    for (const e of entries) expect(e).toMatch(/^\d+ .+, \d+ %: .+$/);
    expect(entries.filter((e) => e.endsWith(`: ${ownHarness}`)), row.section).toEqual([]);
  }
}

describe('fan-out benchmark, small', () => {
  it('runs bare and Rubicon in memory and on Redis, with nothing lost or duplicated', async () => {
    const report = new Report();
    await runSavingRounds(report);
    const sections = [...new Set(report.rows.map((r) => r.section))];
    expect(sections).toEqual(['8 fan-out (memory, 1 process, 2 msg/s per seat)', '8 fan-out (Redis, 2 processes, 2 msg/s per seat)']);
    for (const section of sections) {
      const rows = report.rows.filter((r) => r.section === section);
      for (const target of ['bare', 'rubicon']) expectTargetRows(rows, section, target);
      expect(rows.some((r) => r.name === 'rubicon/bare: server CPU per delivery')).toBe(true);
      expect(rows.find((r) => r.name === 'phase order, round index 1 (FANOUT_ROUND_OFFSET + round)')?.value).toBe('rubicon → bare');
      // With one round per call the late harness is judged over the call's phases, and the limit printed.
      expect(rows.find((r) => r.name === "a late harness: the sends' lateness p99 past which a phase is marked, over these rounds")?.value).toMatch(/^\d+\.\d\d ms \(the larger of 5 ms and /);
    }
    if (process.platform === 'linux') expectDisturbersNamed(report);
    // The servers ran as compiled JavaScript (the default); each server process checks its own code has no keepNames wrappers, or the phase fails.
    expect(report.notes.some((n) => n.includes('servers as plain JavaScript'))).toBe(true);
  }, 180_000);
});

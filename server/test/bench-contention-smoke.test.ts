// `npm run bench`'s contention benchmark (section 6), run small so CI keeps it working: the same entry
// run.ts calls, with its real 40 writers over 3 server processes on Redis (the writers per seat's token
// are what broke it for a day, c4d7e0b until 38c03eb), both append paths, and every phase (closed loop,
// paced) a fraction of a second long. It asserts what must hold at any size, never a speed.
import { describe, expect, it } from 'vitest';
import { benchContentionAB, CONTENTION_DEFAULTS } from '../bench/contention.ts';
import { Report } from '../bench/stats.ts';
import { uniquePrefix } from './harness.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Low enough that a busy CI host still answers every command well inside its 1 s bound (no `unavailable`).
const RATE = 200;

/** The figures every phase reports (the CPU row needs /proc, so Linux only). */
const PHASE_ROWS = [
  'answered unavailable, then retried with the same id',
  'refused or unanswered',
  'server CPU per acknowledged command (whole run)',
  'Redis commands per acknowledged command (whole run)',
  'Redis CPU per acknowledged command (whole run)',
  'Redis scripts (EVAL) per acknowledged command (whole run)',
  'command-limit round trips to Redis per acknowledged command (whole run)',
  'acknowledged · lost · duplicated · at another version',
  'load average (1 min) at start',
];
const CLOSED_ROWS = ['acknowledged commands per second (measured window)', ...['p50', 'p95', 'p99', 'max'].map((q) => `acknowledgement · ${q}`)];
const UNANSWERED = 'due in the window, refused or never acknowledged (counted as infinitely late)';
const PACED_ROWS = [
  'offered: commands due per second (measured window)',
  'sent by the bench per second (measured window)',
  'achieved: commands due in the window and acknowledged, per second',
  'acknowledgements received per second (measured window)',
  ...['p50', 'p95', 'p99', 'max'].map((q) => `acknowledgement from due time · ${q}`),
  "the bench's own lateness (sent − due) · p99",
  UNANSWERED,
];

function rowsOf(report: Report, section: string): Map<string, number | string> {
  return new Map(report.rows.filter((r) => r.section === section).map((r) => [r.name, r.value]));
}

/** One phase: every figure there and finite, every command acknowledged once at a version that includes it, none refused or retried. */
function expectPhase(report: Report, section: string, own: readonly string[]): void {
  const rows = rowsOf(report, section);
  for (const name of [...own, ...PHASE_ROWS].filter((n) => process.platform === 'linux' || !n.startsWith('server CPU'))) {
    const value = rows.get(name);
    expect(value, `${section}: ${name}`).toBeDefined();
    if (typeof value === 'number') expect(Number.isFinite(value), `${section}: ${name} = ${value}`).toBe(true);
  }
  const [, acknowledged] = /^(\d+) · 0 · 0 · 0$/.exec(String(rows.get('acknowledged · lost · duplicated · at another version'))) ?? [];
  expect(Number(acknowledged), `${section}: ${String(rows.get('acknowledged · lost · duplicated · at another version'))}`).toBeGreaterThan(0);
  expect(rows.get('answered unavailable, then retried with the same id'), section).toBe(0);
  expect(rows.get('refused or unanswered'), section).toBe(0);
  expect(rows.get('append attempts per batch · mean'), section).toBeGreaterThanOrEqual(1);
}

describe('contention benchmark, small', () => {
  it('runs 40 writers over 3 processes on Redis through every phase, both append paths, with nothing lost or duplicated', async () => {
    const report = new Report();
    const options = { ...CONTENTION_DEFAULTS, redisUrl, warmupMs: 150, measureMs: 300, rates: [RATE], keyPrefix: uniquePrefix('bench-contention') };
    expect([options.writers, options.processes]).toEqual([40, 3]);
    // A hello refused (past its retries of `unavailable`) throws here (contention/writer.ts): getting past this line means all 40 writers said hello in every phase.
    await benchContentionAB(report, options, 1);
    const writersOver = `${options.writers} writers over ${options.processes} processes`;
    const labels = ['one command per append, run 1', 'batched appends, run 1'];
    const sections = labels.flatMap((label) => [`6 contention: one session on Redis, ${writersOver} (${label})`, `6 contention, paced: ${RATE} cmd/s offered by ${writersOver} (${label})`]);
    const goals = '6 contention: goals (batched appends, every one of 1 run)';
    expect([...new Set(report.rows.map((r) => r.section))]).toEqual([...sections, goals]);
    for (const [i, section] of sections.entries()) expectPhase(report, section, i % 2 === 0 ? CLOSED_ROWS : PACED_ROWS);
    for (const section of sections.filter((s) => s.startsWith('6 contention, paced'))) expect(rowsOf(report, section).get(UNANSWERED), section).toBe(0);
    // One command per append: every batch holds one command.
    expect(rowsOf(report, sections[0] as string).get('commands per batch · mean')).toBe(1);
    expect(rowsOf(report, goals).size).toBe(4);
    // Each run's keys deleted afterwards, under this test's own prefix.
    expect(report.notes.filter((n) => n.startsWith(`Contention run used key prefix ${options.keyPrefix}`))).toHaveLength(2);
  }, 120_000);
});

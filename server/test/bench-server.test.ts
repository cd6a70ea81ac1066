// `npm run bench`'s section 5 (the server end to end on loopback, memory then Redis) and section 7
// (join-code guessing), run small so CI keeps them working: the same calls as run.ts with the smallest
// settings that still go through every phase. They assert what must hold at any size (every phase
// reports, nothing refused, the guessing budget holds), never a speed.
import { describe, expect, it } from 'vitest';
import { benchServer } from '../bench/server-e2e.ts';
import { benchJoinGuessing } from '../bench/join-guessing.ts';
import { Report } from '../bench/stats.ts';
import { loadConfig } from '../src/config.ts';
import { expectFigures } from './bench-figures.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Past the production limits per seat (a burst of 20) and per session (120), so a limit the bench stops lifting shows here.
const E2E = { roundTrips: 30, perSender: 30, throughputMs: 10_000, warmup: 5, timeoutMs: 45_000 };

describe('server end-to-end benchmark, small', () => {
  it('runs the round trips and the throughput phase in memory and on Redis, with nothing refused', async () => {
    const report = new Report();
    await benchServer(report, 'memory', E2E);
    await benchServer(report, 'redis', E2E, redisUrl);
    const sections = ['5 server (memory)', '5 server (redis)'];
    expect([...new Set(report.rows.map((r) => r.section))]).toEqual(sections);
    expectFigures(report);
    for (const section of sections) {
      const rows = new Map(report.rows.filter((r) => r.section === section).map((r) => [r.name, r.value]));
      expect(rows.get(`command round trip (send → ack), n=${E2E.roundTrips} · p50`), section).toBeGreaterThan(0);
      // Every sender sent all it had (the phase's time limit is far off at this size), and each was accepted.
      expect(rows.get('throughput, 5 concurrent senders (1 in flight each): accepted'), section).toBe(5 * E2E.perSender);
      expect(rows.has('throughput: refused commands'), section).toBe(false);
      expect(rows.get('throughput: server CPU per command (incl. fan-out to 7 rooms)'), section).toBeGreaterThan(0);
    }
    expect(report.notes.filter((n) => /^Redis run used key prefix bench-\S+; deleted its [1-9]\d* keys afterwards\.$/.test(n))).toHaveLength(1);
  }, 120_000);
});

describe('join-code guessing benchmark, small', () => {
  it("refuses each address's guesses past its budget and reports every figure", async () => {
    const report = new Report();
    const budget = loadConfig({}).limits.joinFailures.points;
    await benchJoinGuessing(report, { liveCodes: 30, guessesPerAddress: budget + 5, addresses: 2 });
    expect([...new Set(report.rows.map((r) => r.section))]).toEqual(['7 join-code guessing']);
    expectFigures(report);
    const rows = new Map(report.rows.map((r) => [r.name, r.value]));
    expect(rows.get('live codes on the server')).toBeGreaterThanOrEqual(30);
    expect(rows.get(`guesses looked up from one address (of ${budget + 5} sent)`)).toBe(budget);
    expect(rows.get('… from each of 2 addresses (min–max)')).toBe(`${budget}–${budget}`);
  }, 60_000);
});

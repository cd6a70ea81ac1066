/**
 * The volume limits' fallback to memory while Redis is slow: a count Redis answers after the limit bound is
 * decided by this process's own counter. Each process counting a whole budget there let N processes grant
 * N budgets between them (N + 1 with what Redis had counted); each now grants its share, the budget divided
 * by the processes it knows of, so together they stay within about one budget. A healthy Redis decides as before.
 */
import { describe, expect, it } from 'vitest';
import { Limits, type LimitsConfig } from '../src/limits/limits.ts';
import type { LimitStore } from '../src/limits/rate-limit.ts';
import { ProcessCount } from '../src/limits/process-count.ts';
import { redisForFile } from './redis-for-file.ts';
import { withLateScriptReplies } from './late-script-replies.ts';

const { redis: client, prefix } = redisForFile('limits-share');
/** How late this process reads Redis's replies to scripts (Redis itself runs them at once). */
let lateMs = 0;

function slowStore(processes: () => number): LimitStore {
  const slow = withLateScriptReplies(client, () => lateMs);
  // The app's bound on a limit check: min(250 ms, STORE_TIMEOUT_MS).
  return { redis: slow, prefix, timeoutMs: 250, processes };
}

const rate = { burst: 1000, perSecond: 1000 };
const config: LimitsConfig = {
  seat: { burst: 6, perSecond: 0.1 },
  session: rate,
  socket: rate,
  helloPerAddress: rate,
  httpPerAddress: rate,
  publicPerAddress: rate,
  joinFailures: { points: 5, windowSeconds: 600 },
  importBytes: { points: 1000, windowSeconds: 60 },
  sessionsPerAddress: { points: 6, windowSeconds: 600 },
};

/** `n` new sessions from `address` through one process at once (one turn, so one script and one fallback). */
async function newSessions(limits: Limits, address: string, n: number): Promise<number> {
  const verdicts = await Promise.all(Array.from({ length: n }, () => limits.newSession(address)));
  return verdicts.filter((v) => v.allowed).length;
}

/** `n` commands of one seat through one process at once, counted by the chain (as when the append cannot). */
async function commands(limits: Limits, seat: string, n: number): Promise<number> {
  const counted = await Promise.all(
    Array.from({ length: n }, () =>
      (limits.command([seat, `session-of-${seat}`])?.countAlone() ?? Promise.resolve()).then(
        () => true,
        () => false,
      ),
    ),
  );
  return counted.filter(Boolean).length;
}

const processes = (n: number) => Array.from({ length: n }, () => new Limits(config, slowStore(() => n)));
const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);

describe('volume limits on a slow Redis, across processes', () => {
  for (const n of [2, 3]) {
    it(`${n} processes falling back to memory grant about one budget of new sessions between them, not ${n}`, async () => {
      lateMs = 400;
      const granted = await Promise.all(processes(n).map((p) => newSessions(p, `198.51.100.${n}`, 10)));
      // Each process's share of 6 (at least 1): 3 each of 2, 2 each of 3. Before, 6 each.
      expect(granted).toEqual(Array<number>(n).fill(Math.floor(6 / n)));
      expect(total(granted)).toBeLessThanOrEqual(6);
    });

    it(`${n} processes falling back to memory grant about one budget of a seat's commands between them, not ${n}`, async () => {
      lateMs = 400;
      const granted = await Promise.all(processes(n).map((p) => commands(p, `seat-${n}`, 10)));
      expect(granted).toEqual(Array<number>(n).fill(Math.floor(6 / n)));
    });
  }

  it('refuses normal play no more under a healthy Redis: one process may spend the whole shared budget', async () => {
    lateMs = 0;
    const [a, b, c] = processes(3);
    if (!a || !b || !c) throw new Error('three processes');
    expect(await newSessions(a, '198.51.100.20', 8)).toBe(6);
    expect(await newSessions(b, '198.51.100.20', 2)).toBe(0);
    expect(await commands(c, 'seat-healthy', 8)).toBe(6);
  });

  it('keeps the whole budget in memory without Redis (one process: its memory is the whole count)', async () => {
    const alone = new Limits(config, { redis: null, prefix, timeoutMs: 250, processes: () => 3 });
    expect(await newSessions(alone, '198.51.100.21', 8)).toBe(6);
  });

  it('counts the processes whose socket leases are live, not those lapsed', async () => {
    const leases = `${prefix}token-sockets:leases`;
    const now = Date.now();
    await client.hSet(leases, { a: String(now + 60_000), b: String(now + 60_000), c: String(now + 60_000), gone: String(now - 60_000) });
    const count = new ProcessCount(client, leases, 60_000);
    await count.read();
    expect(count.get()).toBe(3);
    count.close();
  });
});

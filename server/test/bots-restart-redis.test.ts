/**
 * Bots outlive the process that started them. With Redis, the seats a
 * session hands to bots (SET_SEAT_BOT, in its log) are played by exactly one
 * process, the holder of the session's bot lease; when that process dies,
 * another one (or the restarted one) plays them again once the lease lapses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Presence, SessionSummary } from '@rubicon/shared';
import {
  api,
  connect,
  createSession,
  deleteRedisKeys,
  startServer,
  testEnv,
  uniquePrefix,
  waitFor,
  waitForPeers,
  type ChildServer,
  type TestClient,
  type TestServer,
} from './harness.ts';
// The service compiled to JavaScript under plain node, as production runs it and the fault suites start it.
import { startServer as startCompiledServer } from './faults/fault-harness.ts';

const LEASE_MS = 1500;
const BOT_ENV = { BOT_LEASE_MS: String(LEASE_MS), BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '250' };
const prefixes: string[] = [];
const clients: TestClient[] = [];
const apps: TestServer[] = [];
const children: ChildServer[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(apps.map((a) => a.close()));
  for (const child of children) if (child.child.exitCode === null) await child.kill();
  for (const p of prefixes) await deleteRedisKeys(p);
});

/** Opens planning of the first beat, and waits until every bot seat acting in it has locked in. */
async function botsLockIn(fac: TestClient, botSeats: string[]): Promise<string[]> {
  await fac.must({ type: 'START' });
  await fac.must({ type: 'ADVANCE' });
  const planning = await fac.until((v) => v.phase === 'planning');
  const acting = (planning.beat?.actingSeats ?? []).filter((s) => botSeats.includes(s));
  expect(acting.length).toBeGreaterThan(0);
  const v = await fac.until((x) => acting.every((s) => x.beat?.lockedIn.includes(s) === true) || x.phase !== 'planning', 20_000, 'the bots to lock in');
  return v.phase === 'planning' ? acting.filter((s) => v.beat?.lockedIn.includes(s)) : acting;
}

describe('bots after a server restart, on Redis', () => {
  it('run in exactly one of two processes, and move to the other when that one dies', async () => {
    const prefix = uniquePrefix('bots-lease');
    prefixes.push(prefix);
    const a = await startServer({ backend: 'redis', prefix, env: BOT_ENV });
    const b = await startServer({ backend: 'redis', prefix, env: BOT_ENV });
    apps.push(a, b);
    await waitForPeers([a, b]);
    const created = await createSession(a.url, { scenarioId: 'april-2024', seed: 'lease', review: false });
    const sessionId = created.sessionId;
    const fac = await connect(a.url, sessionId, created.facilitatorToken, 'facilitator');
    clients.push(fac);
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: 'shuttle-broker' });
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'iran', bot: 'hard-liner' });

    const played = (app: TestServer) => app.app.bots.seatsPlayed(sessionId).sort();
    await waitFor(() => played(a).length + played(b).length === 2, 10_000, 'both bots to start');
    // Over three lease periods, with both processes scanning, no seat is ever played twice.
    const until = Date.now() + 3 * LEASE_MS;
    while (Date.now() < until) {
      expect([...played(a), ...played(b)].sort()).toEqual(['iran', 'mediators']);
      await new Promise((r) => setTimeout(r, 50));
    }
    const [holder, other] = played(a).length === 2 ? [a, b] : [b, a];
    expect(played(holder)).toEqual(['iran', 'mediators']);

    // The holder dies without a word (no shutdown, no lease given back): the other takes the bots over.
    await holder.close({ flush: false });
    await waitFor(() => played(other).length === 2, 4 * LEASE_MS + 5000, 'the other process to take the bots over');
    const survivor = fac.socket.connected ? fac : await connect(other.url, sessionId, created.facilitatorToken, 'facilitator-2');
    clients.push(survivor);
    expect(await botsLockIn(survivor, ['iran', 'mediators'])).not.toEqual([]);
  }, 90_000);

  it('come back when a killed server process is replaced by a new one', async () => {
    const prefix = uniquePrefix('bots-restart');
    prefixes.push(prefix);
    const env = testEnv('redis', prefix, BOT_ENV);
    const first = await startCompiledServer(env);
    children.push(first);
    const created = await createSession(first.url, { scenarioId: 'april-2024', seed: 'restart', review: false });
    const { sessionId, facilitatorToken } = created;
    const fac = await connect(first.url, sessionId, facilitatorToken, 'facilitator');
    clients.push(fac);
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: 'cautious' });
    const presence = async (url: string): Promise<Presence> => (await api<SessionSummary>(url, `/api/sessions/${sessionId}`, { token: facilitatorToken })).body.presence;
    await waitFor(async () => ((await presence(first.url)).seats.mediators ?? 0) > 0, 20_000, 'the bot to join on the first process');

    await first.kill();
    fac.close();
    const second = await startCompiledServer(env);
    children.push(second);
    // Nothing but the log says the seat is a bot's: the new process finds it and the bot joins again.
    await waitFor(async () => ((await presence(second.url)).seats.mediators ?? 0) > 0, 4 * LEASE_MS + 20_000, 'the bot to join on the new process');
    const again = await connect(second.url, sessionId, facilitatorToken, 'facilitator-again');
    clients.push(again);
    expect(again.view?.bots).toEqual([{ seat: 'mediators', bot: 'cautious' }]);
    expect(await botsLockIn(again, ['mediators'])).toEqual(['mediators']);
    expect(await second.terminate()).toBe(0);
  }, 120_000);
});

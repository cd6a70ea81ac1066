/**
 * A session can come into being with seats already handed to bots: an
 * import of a session file, or a branch, whose log holds the SET_SEAT_BOT.
 * No such command is appended there, yet the bots must play it as they
 * would the session the log came from; a read-only replay of the same file
 * is watched, never played.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, SessionFile } from '@rubicon/shared';
import {
  api,
  connect,
  createSession,
  deleteRedisKeys,
  exportSession,
  recordingLogger,
  startServer,
  uniquePrefix,
  waitFor,
  type Backend,
  type TestClient,
  type TestServer,
} from './harness.ts';

const BOT_ENV = { BOT_LEASE_MS: '600', BOT_MIN_DELAY_MS: '40', BOT_MAX_DELAY_MS: '250' };
/** The bots' scan period with that lease (a third of it). */
const SCAN_MS = 200;
const BOT = 'shuttle-broker';

describe.each<Backend>(['memory', 'redis'])('bots of a session created from a log (%s)', (backend) => {
  let server: TestServer;
  const recording = recordingLogger();
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startServer({ backend, prefix: uniquePrefix(`bots-imported-${backend}`), env: BOT_ENV, deps: { logger: recording.logger } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
    if (backend === 'redis') await deleteRedisKeys(server.prefix);
  });

  async function facilitator(session: CreateSessionResponse, label: string): Promise<TestClient> {
    const fac = await connect(server.url, session.sessionId, session.facilitatorToken, label);
    clients.push(fac);
    return fac;
  }

  /** A started game whose mediators are a persona's: its id, facilitator token and log length. */
  async function startedWithBot(seed: string): Promise<{ session: CreateSessionResponse; version: number }> {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed, review: false });
    const fac = await facilitator(session, `${seed}-parent`);
    await fac.must({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: BOT });
    await fac.must({ type: 'START' });
    return { session, version: (await fac.until((v) => v.phase === 'briefing')).version };
  }

  const exported = (session: CreateSessionResponse): Promise<SessionFile> => exportSession(server.url, session);


  /**
   * The created session shows the mediators as a bot's, and once the first beat's planning opens the bot
   * locks in, well before any deadline (a branch may start paused: it is resumed first).
   */
  async function mediatorsLockIn(created: { status: number; body: CreateSessionResponse }, label: string): Promise<void> {
    expect(created.status).toBe(201);
    const fac = await facilitator(created.body, label);
    expect(fac.view?.bots).toEqual([{ seat: 'mediators', bot: BOT }]);
    if (fac.view?.paused) await fac.must({ type: 'RESUME' });
    await fac.must({ type: 'ADVANCE' });
    const planning = await fac.until((v) => v.phase === 'planning');
    expect(planning.beat?.actingSeats).toContain('mediators');
    const v = await fac.until((x) => x.beat?.lockedIn.includes('mediators') === true || x.phase !== 'planning', 10_000, 'the mediators\' bot to lock in');
    expect(v.phase).toBe('planning');
    expect(server.app.bots.seatsPlayed(created.body.sessionId)).toEqual(['mediators']);
  }

  it('an imported session mid-game: its bot joins and locks in', async () => {
    const { session } = await startedWithBot(`import-${backend}`);
    await mediatorsLockIn(await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: await exported(session) }), 'imported');
  }, 30_000);

  it('a branch of a live session: its bot joins and locks in', async () => {
    const { session, version } = await startedWithBot(`branch-${backend}`);
    const path = `/api/sessions/${session.sessionId}/branch`;
    await mediatorsLockIn(await api<CreateSessionResponse>(server.url, path, { body: { version }, token: session.facilitatorToken }), 'branch');
  }, 30_000);

  it('an import that hands no seat to a bot is not loaded to find out (its state came from the check)', async () => {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: `nobots-${backend}`, review: false });
    const fac = await facilitator(session, `nobots-${backend}`);
    await fac.must({ type: 'START' });
    const imported = await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: await exported(session) });
    expect(imported.status).toBe(201);
    // Loading it (a snapshot read, parsed and restored) held the event loop 20-30 ms for 8,000 entries.
    expect(server.app.service.peek(imported.body.sessionId)).toBeUndefined();
    expect(server.app.bots.seatsPlayed(imported.body.sessionId)).toEqual([]);
  }, 30_000);

  it('a replay of the same file is never played, and no bot tries to', async () => {
    const { session } = await startedWithBot(`replay-${backend}`);
    const file = await exported(session);
    const replay = await api<CreateSessionResponse>(server.url, '/api/replays', { body: file });
    expect(replay.status).toBe(201);
    // An import of the same file, made after it, has its bot at the table: the replay had every chance too.
    const imported = await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: file });
    await waitFor(() => server.app.bots.seatsPlayed(imported.body.sessionId).includes('mediators'), 10_000, 'the bot to join the import');
    await new Promise((resolve) => setTimeout(resolve, 3 * SCAN_MS));
    expect(server.app.bots.seatsPlayed(replay.body.sessionId)).toEqual([]);
    expect(recording.errors()).toEqual([]);
  }, 30_000);
});

/**
 * A session file exported while a beat's clock ran carries a deadline that
 * passed long before anyone imports it. The imported session must start
 * paused with the time that was left (as a branch does), not close planning
 * at once and take every seat's default move; a read-only replay of the same
 * file stays exactly its file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySessionFile, type CreateSessionResponse, type SessionFile } from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';
import { ImportVerifier } from '../src/session/import-pipeline.ts';
import { SkewClock, api, connect, createSession, deleteRedisKeys, exportSession, startServer, uniquePrefix, type Backend, type TestClient, type TestServer } from './harness.ts';

const catalog = shippedScenarios();
const DAY_MS = 24 * 3600_000;
/** Several scheduler polls (TIMER_POLL_MS is 20 in tests): long enough for a due deadline to fire. */
const FIRE_WINDOW_MS = 400;

/** The file's history, then one facilitator PAUSE at its last entry's time (the hashes chain from the new header), and no expiry. */
function expectFileThenPause(own: SessionFile, file: SessionFile): void {
  expect(own.log.some((e) => e.command.type === 'TIMER_EXPIRED')).toBe(false);
  const entries = (f: SessionFile) => f.log.map(({ hash: _h, ...e }) => e);
  expect(entries(own).slice(0, file.log.length)).toEqual(entries(file));
  expect(entries(own).slice(file.log.length)).toEqual([
    expect.objectContaining({ seq: file.log.length + 1, at: file.log.at(-1)!.at, by: { kind: 'facilitator' }, command: { type: 'PAUSE' } }),
  ]);
  expect(verifySessionFile(own, (id) => catalog.get(id)).ok).toBe(true);
}

/** Resumed, planning runs on with the time that was left; nobody's default move was taken. */
async function expectResumedWithTimeLeft(fac: TestClient, clock: SkewClock, remainingMs: number): Promise<void> {
  const before = clock.now();
  await fac.must({ type: 'RESUME' });
  const resumed = await fac.until((v) => !v.paused);
  expect(resumed.phase).toBe('planning');
  expect(resumed.timer!.deadline! - remainingMs).toBeGreaterThanOrEqual(before);
  expect(resumed.timer!.deadline! - remainingMs).toBeLessThanOrEqual(clock.now());
}

/** A replay of `file` opened at `url` exports as `file` exactly: no pause added. */
async function expectReplayExact(url: string, file: SessionFile): Promise<void> {
  const opened = await api<CreateSessionResponse>(url, '/api/replays', { body: file });
  expect(opened.status).toBe(201);
  const again = await exportSession(url, opened.body);
  expect(again.log).toEqual(file.log);
  expect(again.chain).toEqual(file.chain);
}

/** The worker that checks big files plans `file` as the event loop does: a pause for an import, none for a replay. */
async function expectWorkerPlans(file: SessionFile): Promise<void> {
  const verifier = new ImportVerifier({ scenarios: () => catalog.all(), inlineBytes: 0 });
  const body = () => new TextEncoder().encode(JSON.stringify(file));
  const first = body();
  const [continued, replayed] = [await verifier.verify(first, 'continue'), await verifier.verify(body(), 'replay')];
  // The body was handed over to the worker (transferred), not cloned on the event loop.
  expect(first.byteLength).toBe(0);
  expect(continued.entries.map((e) => e.seq)).toEqual([...file.log.map((e) => e.seq), file.log.length + 1]);
  expect(JSON.parse(continued.entries.at(-1)!.json)).toMatchObject({ command: { type: 'PAUSE' }, at: file.log.at(-1)!.at });
  // The snapshot comes back as UTF-8 bytes (moved from the worker), which Redis is sent as they are.
  expect(continued.snapshot).toBeInstanceOf(Uint8Array);
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  expect(JSON.parse(text(continued.snapshot))).toMatchObject({ version: file.log.length + 1 });
  expect(replayed.entries.map((e) => e.seq)).toEqual(file.log.map((e) => e.seq));
  expect(JSON.parse(text(replayed.snapshot))).toMatchObject({ version: file.log.length });
}

describe.each<Backend>(['memory', 'redis'])('importing a session exported mid-planning (%s)', (backend) => {
  const clock = new SkewClock();
  let server: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    server = await startServer({ backend, prefix: uniquePrefix(`import-clock-${backend}`), deps: { clock } });
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

  const exported = (session: CreateSessionResponse): Promise<SessionFile> => exportSession(server.url, session);

  /** The file of a session in its first beat's planning, its clock running. */
  async function planningFile(seed: string): Promise<{ file: SessionFile; deadline: number }> {
    const session = await createSession(server.url, { scenarioId: 'april-2024', seed, review: false });
    const fac = await facilitator(session, `${seed}-parent`);
    await fac.must({ type: 'START' });
    await fac.until((v) => v.phase === 'briefing');
    await fac.must({ type: 'ADVANCE' });
    const planning = await fac.until((v) => v.phase === 'planning');
    expect(planning.paused).toBe(false);
    expect(planning.timer?.deadline).toEqual(expect.any(Number));
    return { file: await exported(session), deadline: planning.timer!.deadline! };
  }

  it('starts paused with the time that was left, days after the deadline passed', async () => {
    const { file, deadline } = await planningFile(`import-clock-${backend}`);
    const last = file.log.at(-1)!;
    clock.offset += 3 * DAY_MS;
    const created = await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: file });
    expect(created.status).toBe(201);
    const fac = await facilitator(created.body, 'imported');
    await new Promise((resolve) => setTimeout(resolve, FIRE_WINDOW_MS));
    await fac.caughtUp();
    expect(fac.view).toMatchObject({ phase: 'planning', paused: true, timer: { deadline: null, remainingMs: deadline - last.at } });
    expectFileThenPause(await exported(created.body), file);
    await expectResumedWithTimeLeft(fac, clock, deadline - last.at);
  }, 30_000);

  it('a replay of the same file is its file exactly: no pause added', async () => {
    const { file } = await planningFile(`replay-clock-${backend}`);
    clock.offset += 3 * DAY_MS;
    await expectReplayExact(server.url, file);
  }, 30_000);

  // The worker never touches the store: once is enough (a worker takes seconds to start from source).
  it.skipIf(backend !== 'memory')('the worker that checks big files plans the same: the pause for an import, none for a replay', async () => {
    await expectWorkerPlans((await planningFile(`worker-clock-${backend}`)).file);
  }, 30_000);
});

/**
 * Session files end to end: a live game recorded from every viewer's socket,
 * exported, verified and rebuilt event by event; replays that refuse to be
 * played; tampered files refused with their own errors, creating nothing;
 * branches that continue from exactly the parent's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initialState,
  applyEntry,
  canonicalJson,
  replay,
  scenarioText,
  streamPosition,
  verifySessionFile,
  viewFor,
  wireMessagesFor,
  wireView,
  type CreateSessionResponse,
  type HttpError,
  type WireMessage,
  type SessionFile,
  type SessionSummary,
  type Viewer,
  type WireView,
} from '@rubicon/shared';
import { shippedScenarios } from '@rubicon/shared/scenario-files';
import { SEATS, TestClient, api, codeFor, joinCode, seatTable, settle, startServer, type Table, type TestServer } from './harness.ts';
import { playBeat, playToOutcome, startGame } from './play.ts';

const catalog = shippedScenarios();
const getScenario = (id: string) => catalog.get(id);

let server: TestServer;
const tables: Table[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { MAX_IMPORT_BYTES: '2000000' } });
});
afterAll(async () => {
  for (const t of tables) t.close();
  for (const c of clients) c.close();
  await server?.close();
});

const errorOf = (body: unknown) => (body as HttpError).error;
const sessionCount = async () => (await server.app.directory['store'].listSessions(10_000)).length;

/** Every (view, messages) a client held, by version, as its socket delivered them. */
function recordStates(client: TestClient): Map<number, { view: WireView; messages: readonly WireMessage[] }> {
  const states = new Map<number, { view: WireView; messages: readonly WireMessage[] }>();
  const take = () => {
    if (client.view) states.set(client.view.version, { view: structuredClone(client.view), messages: structuredClone(client.messages) });
  };
  take();
  // Registered after the client's own handler, so it sees the state that update produced.
  client.socket.on('update', () => queueMicrotask(take));
  return states;
}

async function exportOf(sessionId: string, token: string): Promise<SessionFile> {
  const r = await api<SessionFile>(server.url, `/api/sessions/${sessionId}/export`, { token });
  expect(r.status).toBe(200);
  return r.body;
}

let played: { table: Table; file: SessionFile; recorded: Map<string, Map<number, { view: WireView; messages: readonly WireMessage[] }>> } | null = null;

async function playedGame() {
  if (played) return played;
  const table = await seatTable(server.url, { seed: 'replay-test' });
  tables.push(table);
  const viewers: [string, TestClient][] = [['facilitator', table.facilitator], ...SEATS.map((s) => [s, table.seats[s]] as [string, TestClient]), ['observer', table.observer]];
  const recorded = new Map(viewers.map(([name, c]) => [name, recordStates(c)]));
  await startGame(table);
  await table.seats.israel.untilGameVersion(2);
  await table.seats.israel.must({ type: 'SEND_MESSAGE', channel: 'israel-us', text: 'Between us: we will answer.' });
  await table.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'team-iran', text: 'Team only.' });
  await table.seats.us.must({ type: 'SEND_MESSAGE', channel: 'public', text: 'We urge restraint.' });
  await playBeat(table);
  // Rubric scores during play and after the outcome: events the replay must show the white cell exactly as it saw them live.
  await table.facilitator.must({ type: 'SCORE_TEAM', seat: 'iran', criterion: 'mediated-signalling', score: 2, note: 'one message, late' });
  await table.seats.iran.must({ type: 'SUBMIT_MOVE', move: getScenario('april-2024')!.beats[1]!.actors.find((a) => a.seat === 'iran')!.defaultMove, rationale: 'a draft', lock: false });
  // Saved again over its draft: an event only Iran and the white cell are shown, which the replay must number alike.
  await table.seats.iran.must({ type: 'SUBMIT_MOVE', move: getScenario('april-2024')!.beats[1]!.actors.find((a) => a.seat === 'iran')!.defaultMove, rationale: 'a second draft', lock: false });
  await playToOutcome(table);
  await table.facilitator.must({ type: 'SCORE_TEAM', seat: 'israel', criterion: 'rationale-quality', score: 4 });
  await settle(table.all());
  await new Promise((r) => setTimeout(r, 50));
  const file = await exportOf(table.session.sessionId, table.session.facilitatorToken);
  played = { table, file, recorded };
  return played;
}

describe('replaying an exported session', () => {
  it('reproduces, event by event, exactly what every viewer had live', async () => {
    const { file, recorded } = await playedGame();
    const verified = verifySessionFile(file, getScenario);
    if (!verified.ok) throw new Error(verified.problem.message);
    const { game, log } = verified.session;
    const viewerOf = (name: string): Viewer => (name === 'facilitator' ? { kind: 'facilitator' } : name === 'observer' ? { kind: 'observer' } : { kind: 'seat', seat: name });
    let state = initialState(game);
    let compared = 0;
    for (let v = 0; v <= log.length; v++) {
      if (v > 0) {
        const r = applyEntry(game, state, log[v - 1]!);
        if (!r.ok) throw new Error(r.refusal.message);
        state = r.state;
      }
      for (const [name, states] of recorded) {
        // Live, each viewer's updates are numbered in its own stream: find where this event left it.
        const position = streamPosition(game, state, viewerOf(name)).version;
        const live = states.get(position);
        if (!live) continue;
        expect(wireView(viewFor(game, state, viewerOf(name), position), scenarioText(game.scenario).digest), `${name} at ${v}`).toEqual(live.view);
        expect(wireMessagesFor(game, state, viewerOf(name)).messages, `${name}'s messages at ${v}`).toEqual(live.messages);
        compared++;
      }
    }
    // Every viewer was recorded at (nearly) every version of the game.
    expect(compared).toBeGreaterThan(log.length * 5);
    expect(state.turn.context.outcome).not.toBeNull();
  });
});

describe('POST /api/replays', () => {
  readOnlyReplayCases();
  badFileCases();
});

/** A replay: read-only, the same chain, no codes. */
function readOnlyReplayCases(): void {
  it('opens a read-only replay that exports the very same chain', async () => {
    const { file } = await playedGame();
    const before = await sessionCount();
    const r = await api<CreateSessionResponse>(server.url, '/api/replays', { body: file });
    expect(r.status).toBe(201);
    expect(r.body.codes).toEqual([]);
    expect(await sessionCount()).toBe(before + 1);
    const summary = await api<SessionSummary>(server.url, `/api/sessions/${r.body.sessionId}`, { token: r.body.facilitatorToken });
    expect(summary.body).toMatchObject({ mode: 'replay', outcome: expect.any(String), version: file.log.length });
    const again = await exportOf(r.body.sessionId, r.body.facilitatorToken);
    expect(again.chain).toEqual(file.chain);
    expect(again.session).toEqual(file.session);
    const watcher = new TestClient(server.url, r.body.sessionId, r.body.facilitatorToken, 'replay');
    clients.push(watcher);
    expect((await watcher.hello()).ok).toBe(true);
    const ack = await watcher.command({ type: 'REWIND', beat: 'consulate-strike' });
    expect(ack.ok ? null : ack.error.code).toBe('read_only');
  });

  it('has no codes: none in its reply, and revoking or re-issuing one is a write to a replay, refused read_only (409)', async () => {
    const { file } = await playedGame();
    const r = await api<CreateSessionResponse>(server.url, '/api/replays', { body: file });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ codes: [], facilitatorCode: null });
    const summary = await api<SessionSummary>(server.url, `/api/sessions/${r.body.sessionId}`, { token: r.body.facilitatorToken });
    expect(summary.body).toMatchObject({ codes: [], facilitatorCode: null, access: [] });
    for (const [key, action] of [['iran', 'revoke'], ['facilitator', 'reissue']] as const) {
      const refused = await api<HttpError>(server.url, `/api/sessions/${r.body.sessionId}/access/${key}/${action}`, { method: 'POST', body: {}, token: r.body.facilitatorToken });
      expect(refused.status, `${action} ${key}`).toBe(409);
      expect(errorOf(refused.body).code).toBe('read_only');
    }
  });
}

/** Bad files refused, each with its own error. */
function badFileCases(): void {
  it('refuses each kind of bad file with its own error, saying where, and creates nothing', async () => {
    const { file } = await playedGame();
    const text = JSON.stringify(file);
    const edit = (f: (c: SessionFile) => void) => {
      const c = structuredClone(file);
      f(c);
      return c;
    };
    const cases: [string, unknown, string, RegExp][] = [
      ['malformed JSON', text.slice(0, 200), 'malformed_json', /^(line \d+, column \d+|the end of the file)$/],
      ['not a session file', { hello: 'world' }, 'not_a_session_file', /^format$/],
      ['wrong scenario version', edit((c) => (c.scenario.version += 1)), 'scenario_version', /^scenario\.version$/],
      ['missing event', edit((c) => c.log.splice(5, 1)), 'event_missing', /^log\[5\]$/],
      ['reordered events', edit((c) => c.log.splice(6, 2, c.log[7]!, c.log[6]!)), 'event_reordered', /^log\[6\]$/],
      ['changed event', edit((c) => (c.log[3]!.at += 1000)), 'event_changed', /^log\[3\]$/],
      ['broken hash', edit((c) => (c.log[8]!.hash = '0'.repeat(64))), 'broken_hash', /^log\[8\]\.hash$/],
      ['empty body', '', 'malformed_json', /empty/],
    ];
    const before = await sessionCount();
    for (const [what, body, code, where] of cases) {
      for (const path of ['/api/replays', '/api/sessions/import']) {
        const r = await api(server.url, path, { body });
        expect(r.status, `${what} at ${path}`).toBe(400);
        expect(errorOf(r.body).code, what).toBe(code);
        expect(errorOf(r.body).where, what).toMatch(where);
        expect(errorOf(r.body).message.length).toBeGreaterThan(10);
      }
    }
    expect(await sessionCount()).toBe(before);
  });
}

describe('branching', () => {
  branchCases();
  branchRefusalCases();
});

/** A branch from the parent state at a version. */
function branchCases(): void {
  it('continues from exactly the parent state at that version, with new codes, and its export verifies', async () => {
    const { file, table } = await playedGame();
    const opened = (await api<CreateSessionResponse>(server.url, '/api/replays', { body: file })).body;
    const verified = verifySessionFile(file, getScenario);
    if (!verified.ok) throw new Error(verified.problem.message);
    const { game, log } = verified.session;
    // The start of the third beat's planning.
    let state = initialState(game);
    let at = 0;
    let beats = 0;
    for (const entry of log) {
      const r = applyEntry(game, state, entry);
      if (!r.ok) throw new Error(r.refusal.message);
      state = r.state;
      if (entry.command.type === 'ADVANCE' && state.turn.context.beat && state.turn.context.timer && ++beats === 3) {
        at = entry.seq;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    const r = await api<CreateSessionResponse>(server.url, `/api/sessions/${opened.sessionId}/branch`, { body: { version: at }, token: opened.facilitatorToken });
    expect(r.status).toBe(201);
    const branch = r.body;
    expect(branch.codes.length).toBe(5);
    expect(branch.codes.map((c) => c.code)).not.toContain(table.session.codes[0]!.code);

    const fac = new TestClient(server.url, branch.sessionId, branch.facilitatorToken, 'branch-facilitator');
    clients.push(fac);
    const hello = await fac.hello();
    if (!hello.ok) throw new Error(hello.error.message);
    // A clock was running at that moment: the branch is paused with the time that was left, one event on.
    expect(hello.data.version).toBe(at + 1);
    const branchFile = await exportOf(branch.sessionId, branch.facilitatorToken);
    const branchLog = branchFile.log.map(({ hash: _h, ...e }) => e);
    // Its history up to the branch point is the parent's, so its state there is the parent's.
    expect(branchLog.slice(0, at)).toEqual(log.slice(0, at));
    expect(canonicalJson(replay(game, branchLog.slice(0, at)).turn.context)).toBe(canonicalJson(state.turn.context));
    expect(branchLog[at]).toMatchObject({ seq: at + 1, at: log[at - 1]!.at, command: { type: 'PAUSE' } });
    expect(hello.data.view).toEqual(wireView(viewFor(game, replay(game, branchLog), { kind: 'facilitator' }), scenarioText(game.scenario).digest));
    expect(hello.data.view.timer?.remainingMs).toBe(state.turn.context.timer!.deadline! - log[at - 1]!.at);

    // A team joins the branch and plays on.
    const iranToken = (await joinCode(server.url, codeFor(branch, 'iran'))).token;
    const iran = new TestClient(server.url, branch.sessionId, iranToken, 'branch-iran');
    clients.push(iran);
    expect((await iran.hello()).ok).toBe(true);
    await fac.must({ type: 'RESUME' });

    const summary = await api<SessionSummary>(server.url, `/api/sessions/${branch.sessionId}`, { token: branch.facilitatorToken });
    expect(summary.body).toMatchObject({ mode: 'live', parent: { sessionId: file.session.sessionId, version: at } });
    expect(branchFile.session.parent).toMatchObject({ sessionId: file.session.sessionId, version: at, hash: file.log[at - 1]!.hash });
    const check = verifySessionFile(branchFile, getScenario);
    expect(check.ok).toBe(true);
  });
}

/** Branches refused. */
function branchRefusalCases(): void {
  it('refuses a branch beyond the log, or without the facilitator token', async () => {
    const { table, file } = await playedGame();
    const id = table.session.sessionId;
    const far = await api(server.url, `/api/sessions/${id}/branch`, { body: { version: file.log.length + 5 }, token: table.session.facilitatorToken });
    expect(far.status).toBe(400);
    const anon = await api(server.url, `/api/sessions/${id}/branch`, { body: { version: 1 }, token: table.tokens.iran });
    expect(anon.status).toBe(403);
  });
}

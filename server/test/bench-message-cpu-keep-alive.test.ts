import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpPoke, runKeepingAwake } from '../bench/message-cpu/keep-alive.ts';

const dir = mkdtempSync(join(tmpdir(), 'rubicon-keep-alive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for `callgrind_control`: it returns only once the process has run
 * code since it started (here, once a poke wrote to `pokes`), then exits with `code`.
 */
function markScript(name: string, code = 0): { path: string; pokes: string } {
  const path = join(dir, `${name}.sh`);
  const pokes = join(dir, `${name}.pokes`);
  writeFileSync(pokes, '');
  writeFileSync(path, `#!/bin/sh\nwhile [ ! -s '${pokes}' ]; do sleep 0.02; done\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return { path, pokes };
}

const pokesIn = (file: string): number => readFileSync(file, 'utf8').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the message-cpu driver keeps the server awake while its mark script runs', () => {
  it('pokes until a script waiting for the process returns, then stops', async () => {
    const script = markScript('waits');
    await runKeepingAwake(script.path, ['start', '1'], () => appendFileSync(script.pokes, '.'), 10);
    const atExit = pokesIn(script.pokes);
    expect(atExit).toBeGreaterThan(0);
    await sleep(100);
    expect(pokesIn(script.pokes)).toBe(atExit);
  });

  it('rejects when the script fails, and stops poking', async () => {
    const script = markScript('fails', 3);
    await expect(runKeepingAwake(script.path, ['stop', '1'], () => appendFileSync(script.pokes, '.'), 10)).rejects.toThrow();
    const atExit = pokesIn(script.pokes);
    await sleep(100);
    expect(pokesIn(script.pokes)).toBe(atExit);
  });

  it("sends the server a request per poke, answered or not", async () => {
    let requests = 0;
    // Like the bare server outside Socket.IO's path: counts the request, never answers.
    const server: Server = createServer(() => requests++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const poke = httpPoke(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    poke();
    poke();
    while (requests < 2) await sleep(10);
    expect(requests).toBe(2);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

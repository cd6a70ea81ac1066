/**
 * An upload's bytes are counted against its address's hourly allowance (IMPORT_BYTES_PER_HOUR) before its
 * body is read (red team, 7 December). Counted after, every upload an address had under way was held in
 * memory whole and only then refused: 100 at once (its request budget) of 5 MiB each held 500 MB.
 */
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
const BUDGET = 3000;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { IMPORT_BYTES_PER_HOUR: String(BUDGET), MAX_IMPORT_BYTES: '5000' } });
});
afterAll(() => server.close());

/** Sends the head and `sent` bytes of a body that says it has more, and waits `ms` for a status line. */
function partialUpload(path: string, headers: Record<string, string>, sent: Buffer, ms: number): Promise<string | null> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    const done = (status: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(null), ms);
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      if (status) done(status);
    });
    socket.on('error', () => done(null));
    const head = Object.entries({ Host: `${hostname}:${port}`, 'Content-Type': 'application/json', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(sent);
  });
}

describe('the bytes of session files an address may upload', () => {
  it('refuses an upload past the allowance before its body has arrived, by its declared length', async () => {
    // Within the allowance: the server waits for the rest of the body (no answer while it has not come).
    expect(await partialUpload('/api/replays', { 'Content-Length': '2000' }, Buffer.from('{'), 1000)).toBeNull();
    // 2,000 of 3,000 reserved by the one still under way: 2,000 more are refused at once, body or not.
    expect(await partialUpload('/api/sessions/import', { 'Content-Length': '2000' }, Buffer.from('{'), 3000)).toBe('429');
    expect(await partialUpload('/api/replays', { 'Content-Length': '2000' }, Buffer.alloc(0), 3000)).toBe('429');
  });

  it('reserves MAX_IMPORT_BYTES for a compressed body or one without a length, and gives back what it did not use', async () => {
    const other = await startServer({ backend: 'memory', env: { IMPORT_BYTES_PER_HOUR: '6000', MAX_IMPORT_BYTES: '5000' } });
    try {
      const gz = gzipSync(Buffer.from('{"not": "a session file"}'));
      const post = (body: Buffer, headers: Record<string, string>) =>
        fetch(new URL('/api/replays', other.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      // Each compressed upload reserves 5,000 of 6,000 and gives back all but its 25 bytes, so many fit.
      for (let i = 0; i < 5; i++) expect((await post(gz, { 'content-encoding': 'gzip' })).status).toBe(400);
      // A declared length over MAX_IMPORT_BYTES is 413 as before, and counts nothing.
      expect((await post(Buffer.alloc(5001, 32), {})).status).toBe(413);
      expect((await post(Buffer.alloc(4000, 32), {})).status).toBe(400);
    } finally {
      await other.close();
    }
  });
});

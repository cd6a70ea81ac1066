/**
 * A session file's body is read into a Buffer made at its declared length, each chunk copied in as it
 * arrives (file-body.ts), not joined in one Buffer.concat when the body ends. These say the route reads
 * what it read before: a body of many chunks whole, a compressed one (through express.raw), and one
 * over the limit refused as too_large.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateSessionResponse, SessionFile } from '@rubicon/shared';
import { createSession, exportSession, startServer, type TestServer } from './harness.ts';

const LIMIT = 512 * 1024;
let server: TestServer;
let file: Buffer;
let original: SessionFile;

beforeAll(async () => {
  server = await startServer({ backend: 'memory', env: { MAX_IMPORT_BYTES: String(LIMIT), IMPORT_BYTES_PER_HOUR: String(100 * LIMIT) } });
  const session = await createSession(server.url, { scenarioId: 'april-2024' });
  // Padded with whitespace (still the same JSON) to many chunks, and past the size checked on the spot.
  original = await exportSession(server.url, session);
  file = Buffer.from(JSON.stringify(original) + ' '.repeat(300 * 1024));
});

afterAll(async () => {
  await server.close();
});

function importBody(body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('/api/sessions/import', server.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe("an imported file's body", () => {
  it('arrives whole, in many chunks, and imports', async () => {
    const res = await importBody(file);
    expect(res.status).toBe(201);
    const { sessionId, facilitatorToken } = (await res.json()) as CreateSessionResponse;
    // The copy is the file's session: the same export, but for its own header.
    const copy = await exportSession(server.url, { sessionId, facilitatorToken } as CreateSessionResponse);
    expect(copy.log).toEqual(original.log);
    expect(copy.setup).toEqual(original.setup);
  });

  it('compressed, is still read (by express.raw) and imports', async () => {
    const res = await importBody(gzipSync(file), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(201);
  });

  it('over the limit, is refused as too_large and nothing is imported', async () => {
    const res = await importBody(Buffer.concat([file, Buffer.alloc(LIMIT, 0x20)]));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_large');
  });
});

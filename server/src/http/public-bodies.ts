import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** One JSON body, serialised and compressed once, with its strong validator. */
export interface EncodedBody {
  etag: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
}

/**
 * Serialises `value` as res.json would (JSON.stringify, no spacing) and
 * compresses it both ways the compression middleware offers. Brotli at
 * quality 9, not 11: a 91 KB teaching document costs a few milliseconds once,
 * rather than a long pause of the event loop on the first request, and is
 * within a few per cent of 11's size.
 */
export function encodeBody(value: unknown, etag?: string): EncodedBody {
  const identity = Buffer.from(JSON.stringify(value), 'utf8');
  return {
    etag: etag ?? `"${createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`,
    identity,
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzip: gzipSync(identity, { level: 9 }),
  };
}

/** Responses that carry bytes encoded here: the compression middleware must leave them alone (its filter asks). */
const preEncoded = new WeakSet<ServerResponse>();

export function isPreEncoded(res: ServerResponse): boolean {
  return preEncoded.has(res);
}

/**
 * Whether the request's If-None-Match names `etag` (or is `*`), by the weak
 * comparison RFC 9110 prescribes for it. Judged here rather than by
 * res.send's freshness check: that check (the `fresh` package) answers 200 to
 * any request carrying `Cache-Control: no-cache`, and fetch() adds that header
 * to every request that sets If-None-Match itself, so a script revalidating
 * as docs/protocol.md says never got its 304. The directive asks caches on
 * the way to check with the origin; this is the origin, checking.
 */
function namesEtag(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Sends a body encoded once: brotli or gzip as the client accepts (ours
 * first, as static-client.ts does), else the plain bytes; 304 with no body
 * when If-None-Match names its ETag. Nothing is serialised or compressed per
 * request.
 */
export function sendEncoded(req: Request, res: Response, body: EncodedBody, cacheControl: string): void {
  preEncoded.add(res);
  res.vary('Accept-Encoding');
  res.setHeader('ETag', body.etag);
  res.setHeader('Cache-Control', cacheControl);
  if (namesEtag(req, body.etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json');
  const encoding = (['br', 'gzip'] as const).find((e) => req.acceptsEncodings(e) === e);
  if (encoding) res.setHeader('Content-Encoding', encoding);
  res.send(encoding ? body[encoding] : body.identity);
}

/**
 * Encoded bodies kept per object they were made from (a scenario, a
 * catalogue): both are immutable once loaded, so each body is made once per
 * process and lives as long as what it was made from.
 */
export class EncodedCache<K extends object> {
  private readonly bodies = new WeakMap<K, EncodedBody>();

  constructor(private readonly make: (key: K) => EncodedBody) {}

  get(key: K): EncodedBody {
    let body = this.bodies.get(key);
    if (!body) {
      body = this.make(key);
      this.bodies.set(key, body);
    }
    return body;
  }
}

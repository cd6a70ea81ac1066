import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/**
 * Serves the built browser app, with every non-API GET falling back to
 * index.html so that client-side routes survive a reload. Null when the
 * client has not been built (the API works without it).
 */
export function staticClient(dist: string): Router | null {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use(precompressed(dist));
  router.use(express.static(dist, { index: false, setHeaders: cacheHeaders }));
  // Not under /assets/: a build file that is not there (a tab of the previous build asking for its
  // chunk) is a 404, not the page with a 200 that the browser then refuses as a script.
  router.get(/^\/(?!api\/|socket\.io\/|healthz$|metrics$|assets\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

/** The encodings the build writes beside a file (client/scripts/precompress.ts), best first. */
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/**
 * Sends the build's own brotli or gzip copy of a file to a browser that
 * accepts it: smaller than the compression middleware's brotli at quality 4,
 * and nothing is compressed per request (the middleware leaves a response
 * that already has a Content-Encoding alone).
 * Which copies exist is read once, at start: a URL is looked up in that
 * list, never joined onto a path. A file built after the start is served as
 * before, compressed on the fly.
 */
function precompressed(dist: string): RequestHandler {
  const copies = new Map<string, Set<string>>();
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    const encoding = ENCODINGS.find((e) => file.endsWith(e.ext));
    if (!encoding) continue;
    const url = `/${file.slice(0, -encoding.ext.length).split(path.sep).join('/')}`;
    copies.set(url, (copies.get(url) ?? new Set()).add(encoding.name));
  }
  return (req, res, next) => {
    const held = req.method === 'GET' || req.method === 'HEAD' ? copies.get(req.path) : undefined;
    if (!held) return next();
    res.vary('Accept-Encoding');
    // Ours first, whatever order the browser lists them in (Chromium sends "gzip, deflate, br, zstd").
    const encoding = ENCODINGS.find((e) => held.has(e.name) && req.acceptsEncodings(e.name) === e.name);
    if (!encoding) return next();
    const file = path.join(dist, req.path);
    res.type(path.extname(file));
    res.setHeader('Content-Encoding', encoding.name);
    cacheHeaders(res, file);
    res.sendFile(file + encoding.ext, (err) => err && next(err));
  };
}

const HASHED_ASSET = /[\\/]assets[\\/][^\\/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/**
 * Vite names every built asset by its content hash, so those never change and
 * are cached for good; the page that names them is revalidated on every load,
 * and anything else (icons, the manifest) for an hour.
 */
function cacheHeaders(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
  else if (HASHED_ASSET.test(file)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
  else res.setHeader('Cache-Control', 'public, max-age=3600');
}

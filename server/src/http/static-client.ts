import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/**
 * Serves the built browser app, with every non-API GET falling back to
 * index.html so that client-side routes survive a reload. Null when the
 * client has not been built (the API works without it).
 */
export function staticClient(dist: string): Router | null {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return null;
  const router = express.Router();
  router.use(express.static(dist, { index: false, setHeaders: cacheHeaders }));
  router.get(/^\/(?!api\/|socket\.io\/|healthz$|metrics$).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
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

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
  router.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: noCacheForHtml }));
  router.get(/^\/(?!api\/|socket\.io\/|healthz$|metrics$).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

/** Hashed asset names may be cached; the page that names them must not be. */
function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}

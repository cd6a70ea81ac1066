import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics.ts';

export interface MetricsAccess {
  /** Bearer token a scraper must send; unset: no token (only sensible on a private port). */
  token: string | undefined;
  /** A separate port for /metrics; unset: none. */
  port: number | undefined;
  host: string;
}

/** Compares digests, so the time taken says nothing about how much of a guess was right. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function sendJsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * Answers GET /metrics when the token matches (or none is configured), and
 * says so otherwise. Returns false for any other path, so the caller can pass
 * the request on.
 */
export function serveMetrics(metrics: Metrics, token: string | undefined): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const given = bearerOf(req);
    if (token !== undefined && given === undefined) sendJsonError(res, 401, 'unauthorized', 'Send the metrics token as a Bearer token.');
    else if (token !== undefined && !sameSecret(given ?? '', token)) sendJsonError(res, 403, 'forbidden', 'That is not the metrics token.');
    else await sendMetrics(metrics, req, res);
    return true;
  };
}

async function sendMetrics(metrics: Metrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Where /metrics is served. Not on the public port unless METRICS_TOKEN is
 * set (then with that token); on METRICS_PORT (bound to METRICS_HOST,
 * 127.0.0.1 by default) if set, for a scraper on a private network.
 */
export class MetricsEndpoint {
  private server: HttpServer | null = null;
  /** The handler for the public port, or null when /metrics is not served there. */
  readonly onPublicPort: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | null;

  constructor(
    private readonly metrics: Metrics,
    private readonly access: MetricsAccess,
  ) {
    this.onPublicPort = access.token === undefined ? null : serveMetrics(metrics, access.token);
  }

  /** Starts the separate listener, if one is configured; resolves with its URL or null. */
  async listen(): Promise<string | null> {
    if (this.access.port === undefined) return null;
    const handle = serveMetrics(this.metrics, this.access.token);
    const server = createServer((req, res) => {
      handle(req, res).then(
        (served) => served || sendJsonError(res, 404, 'not_found', 'Only /metrics is served here.'),
        () => sendJsonError(res, 500, 'internal', 'The metrics could not be collected.'),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.access.port, this.access.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return `http://${this.access.host.includes(':') ? `[${this.access.host}]` : this.access.host}:${port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitInWords } from '../limits/limits.ts';
import type { RateLimit } from '../limits/rate-limit.ts';
import type { Metrics } from '../metrics.ts';
import { retryAfterSeconds } from '../session/service-error.ts';
import { addressKey } from './client-address.ts';

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

function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** Answers /metrics on one listener: `address` is the key the request's wrong tokens count against. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse, address: string) => Promise<boolean>;

/**
 * Answers GET /metrics when the token matches (or none is configured), and
 * says so otherwise. Returns false for any other path, so the caller can pass
 * the request on.
 *
 * With a token, every request is counted against its address's budget of
 * wrong metrics tokens (`failures`: sized like, but counted apart from, its wrong join codes) before the token
 * is compared, and given back when it was right, as a join is: guesses sent
 * all at once are counted as many, and past the budget even the right token is
 * refused, so a 429 never tells a right guess from a wrong one. Other
 * addresses' guesses spend nothing of a scraper's.
 */
export function serveMetrics(metrics: Metrics, token: string | undefined, failures: RateLimit): MetricsHandler {
  return async (req, res, address) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (token === undefined) {
      await sendMetrics(metrics, req, res);
      return true;
    }
    const verdict = await failures.take(address);
    const given = bearerOf(req);
    if (!verdict.allowed)
      sendJsonError(res, 429, 'rate_limited', `Too many wrong tokens or codes from this address; try again in ${waitInWords(verdict.retryAfterMs)}.`, {
        'Retry-After': String(retryAfterSeconds(verdict.retryAfterMs)),
      });
    else if (given === undefined) sendJsonError(res, 401, 'unauthorized', 'Send the metrics token as a Bearer token.');
    else if (!sameSecret(given, token)) sendJsonError(res, 403, 'forbidden', 'That is not the metrics token.');
    else {
      await failures.giveBack(address);
      await sendMetrics(metrics, req, res);
    }
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
  readonly onPublicPort: MetricsHandler | null;
  private readonly handle: MetricsHandler;

  /**
   * `failures`: the per-address budget of wrong metrics tokens that a wrong or missing token spends.
   * `checkHost`: the Host check (host-check.ts hostGuard) for the separate listener, which Express's
   * middleware never sees: bound to 127.0.0.1 by default, it is what a DNS-rebinding page on that machine reaches.
   */
  constructor(
    metrics: Metrics,
    private readonly access: MetricsAccess,
    failures: RateLimit,
    private readonly checkHost: (host: string | undefined, path: string) => string | null,
  ) {
    this.handle = serveMetrics(metrics, access.token, failures);
    this.onPublicPort = access.token === undefined ? null : this.handle;
  }

  /** Starts the separate listener, if one is configured; resolves with its URL or null. */
  async listen(): Promise<string | null> {
    if (this.access.port === undefined) return null;
    const { handle, checkHost } = this;
    // A scraper connects to this listener itself, with no proxy before it: the TCP peer is the address, and
    // an X-Forwarded-For (which anyone on the private network could write) is not read.
    const server = createServer((req, res) => {
      const refused = checkHost(req.headers.host, (req.url ?? '').split('?')[0] ?? '');
      if (refused !== null) return sendJsonError(res, 403, 'host_not_allowed', refused);
      handle(req, res, addressKey(req.socket.remoteAddress ?? 'unknown')).then(
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

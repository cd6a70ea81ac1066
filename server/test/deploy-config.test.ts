/**
 * The compose deployment cannot run here (no Docker; nginx only when installed by hand), so its files
 * are read for the properties the app depends on behind the proxy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { originAllowed } from '../src/socket/origin-check.ts';
import type { IncomingMessage } from 'node:http';

const root = new URL('../../', import.meta.url);
const nginx = readFileSync(new URL('deploy/nginx.conf', root), 'utf8');
const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const dockerignore = readFileSync(new URL('.dockerignore', root), 'utf8')
  .split('\n')
  .map((line) => line.trim().replace(/\/$/, ''))
  .filter((line) => line !== '' && !line.startsWith('#'));

/** One path segment against one of .dockerignore's (where `*` is any run of characters but a slash). */
const segmentMatches = (pattern: string, segment: string | undefined) =>
  segment !== undefined && new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(segment);

/**
 * Whether .dockerignore leaves `path` out of the build context. Only the forms it uses: an entry rooted at the
 * context, or one that starts with a double star and a slash (at any depth); either also covers what is under it.
 */
function ignoredByDocker(path: string): boolean {
  const segments = path.split('/');
  return dockerignore.some((entry) => {
    const anyDepth = entry.startsWith('**/');
    const want = (anyDepth ? entry.slice(3) : entry).split('/');
    const starts = anyDepth ? segments.map((_, i) => i) : [0];
    return starts.some((i) => want.every((w, k) => segmentMatches(w, segments[i + k])));
  });
}

function handshake(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('deploy/nginx.conf and docker-compose.yml', () => {
  it('forward the Host with its port, so a page on http://localhost:8080 may open its socket', () => {
    const host = /proxy_set_header\s+Host\s+(\$\w+);/.exec(nginx)?.[1];
    expect(host).toBe('$http_host');
    // What the app then sees: nginx's $http_host is the browser's Host header, port included; $host would drop it.
    const allowed = originAllowed({ allowedOrigins: null, publicUrl: undefined });
    expect(allowed(handshake({ host: 'localhost:8080', origin: 'http://localhost:8080' }))).toBe(true);
    expect(allowed(handshake({ host: 'localhost', origin: 'http://localhost:8080' }))).toBe(false);
  });

  it('keep sockets on one replica, pass WebSocket upgrades and replace X-Forwarded-For', () => {
    expect(nginx).toMatch(/^\s*ip_hash;/m);
    expect(nginx).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;/);
    expect(compose).toMatch(/TRUST_PROXY:\s*"uniquelocal"/);
  });

  it("pass the app's 503 (Redis away: every replica says the same) through instead of counting it against the replica", () => {
    // With http_503 here, a few 503s (a readiness probe, a join during an outage) marked every replica
    // failed: nginx then answered 502 "no live upstreams" to /healthz/live and the pages (seen live,
    // nginx 1.22 in front of three replicas with Redis stopped).
    const nextUpstream = /^\s*proxy_next_upstream\s+([^;]*);/m.exec(nginx)?.[1]?.split(/\s+/);
    expect(nextUpstream).toBeDefined();
    expect(nextUpstream).not.toContain('http_503');
    expect(nextUpstream).toContain('error');
  });

  it('run Redis with its append-only file on a volume', () => {
    expect(compose).toMatch(/"--appendonly",\s*"yes"/);
    expect(compose).toMatch(/redis-data:\/data/);
  });

  it("leave out of the image's build what a checkout makes locally: compiled code, secrets, test output", () => {
    // `COPY . .` would otherwise bring a local build:server's dist (stale files of deleted modules, shipped by the
    // run stage) and an .env with LLM_API_KEY into the build stage's layers.
    const local = ['server/dist/main.js', 'shared/dist/src/index.js', 'client/dist/index.html', 'client/public/maps/april-2024.json', '.env', 'e2e/artifacts/report/index.html', 'server.log', 'node_modules/x', 'cli/node_modules/x', 'examples/python/__pycache__/rubicon_bot.cpython-311.pyc'];
    expect(local.filter((p) => !ignoredByDocker(p))).toEqual([]);
    // …and keeps the sources the build needs.
    expect(['server/src/main.ts', 'shared/scenarios/april-2024.yaml', 'client/index.html', 'package-lock.json'].filter(ignoredByDocker)).toEqual([]);
  });
});

/**
 * The compose deployment cannot run here (no Docker, no nginx), so its files are read for the
 * properties the app depends on behind the proxy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { originAllowed } from '../src/socket/origin-check.ts';
import type { IncomingMessage } from 'node:http';

const root = new URL('../../', import.meta.url);
const nginx = readFileSync(new URL('deploy/nginx.conf', root), 'utf8');
const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');

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

  it('run Redis with its append-only file on a volume', () => {
    expect(compose).toMatch(/"--appendonly",\s*"yes"/);
    expect(compose).toMatch(/redis-data:\/data/);
  });
});

/**
 * The compose deployment cannot run here (no Docker; nginx only when installed by hand), so its files
 * are read for the properties the app depends on behind the proxy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { originAllowed } from '../src/socket/origin-check.ts';
import { hostAllowed, hostPolicy, metricsHostPolicy } from '../src/http/host-check.ts';
import type { IncomingMessage } from 'node:http';

const root = new URL('../../', import.meta.url);
const nginx = readFileSync(new URL('deploy/nginx.conf', root), 'utf8');
const compose = readFileSync(new URL('docker-compose.yml', root), 'utf8');
const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
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

/** nginx's path if it is installed (Debian's nginx-light will do), else null: the config check is then skipped. */
function nginxBinary(): string | null {
  for (const path of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(path, ['-v']).status === 0) return path;
  }
  return null;
}

function handshake(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

/** What the app sees of a request through the proxy: its Host, its settings, the metrics listener's names. */
function hostCases(): void {
  it('forward the Host with its port, so a page on http://localhost:8080 may open its socket', () => {
    const host = /proxy_set_header\s+Host\s+(\$\w+);/.exec(nginx)?.[1];
    expect(host).toBe('$http_host');
    // What the app then sees: nginx's $http_host is the browser's Host header, port included; $host would drop it.
    const allowed = originAllowed({ allowedOrigins: null, publicUrl: undefined });
    expect(allowed(handshake({ host: 'localhost:8080', origin: 'http://localhost:8080' }))).toBe(true);
    expect(allowed(handshake({ host: 'localhost', origin: 'http://localhost:8080' }))).toBe(false);
  });

  it("forward a Host the app's Host check passes (localhost:8080, a LAN address), and pass PUBLIC_URL and ALLOWED_HOSTS through for a name", () => {
    const composeEnv = (name: string) => new RegExp(`^\\s+${name}:\\s*\\$\\{${name}:-\\}\\s*$`, 'm');
    expect(compose).toMatch(composeEnv('PUBLIC_URL'));
    expect(compose).toMatch(composeEnv('ALLOWED_HOSTS'));
    // `${VAR:-}` is empty when the operator sets nothing: the app reads an empty setting as unset.
    const config = loadConfig({ PUBLIC_URL: '', ALLOWED_HOSTS: '', HOST: '0.0.0.0' });
    const settings = { allowedHosts: config.allowedHosts, publicUrl: config.publicUrl, bindHost: config.host, allowedOrigins: config.allowedOrigins, machineName: '3f2a9c1d7e04' };
    for (const host of ['localhost:8080', '192.168.1.20:8080', '127.0.0.1:3000']) expect(hostAllowed(hostPolicy(settings), host), host).toBe(true);
    expect(hostAllowed(hostPolicy(settings), 'rubicon.school.example:8080')).toBe(false);
    const named = loadConfig({ PUBLIC_URL: 'http://rubicon.school.example:8080', ALLOWED_HOSTS: '' });
    expect(hostAllowed(hostPolicy({ ...settings, publicUrl: named.publicUrl }), 'rubicon.school.example:8080')).toBe(true);
  });

  it("let a scraper on the compose network name the metrics listener by the service name, and no partner's name", () => {
    /** compose's `NAME: ${NAME:-default}`: the value the app gets when the operator sets nothing. */
    const composeDefault = (name: string) => new RegExp(`^\\s+${name}:\\s*\\$\\{${name}:-([^}]*)\\}\\s*$`, 'm').exec(compose)?.[1];
    // Off unless the operator turns it on; then bound to every interface of the container, as the comment says to.
    expect(composeDefault('METRICS_PORT')).toBe('');
    expect(loadConfig({ METRICS_HOST: composeDefault('METRICS_HOST') ?? '' }).metrics.host).toBe('127.0.0.1');
    const { metrics } = loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_HOSTS: composeDefault('METRICS_HOSTS') ?? '', ALLOWED_ORIGINS: 'https://partner.example' });
    const policy = metricsHostPolicy({ metricsHosts: metrics.hosts, bindHost: metrics.host, machineName: '3f2a9c1d7e04' });
    for (const host of ['app:9464', '172.18.0.5:9464', '3f2a9c1d7e04:9464', '127.0.0.1:9464']) expect(hostAllowed(policy, host), host).toBe(true);
    for (const host of ['partner.example', 'app.partner.example:9464']) expect(hostAllowed(policy, host), host).toBe(false);
  });
}

/** How nginx spreads, passes and holds connections. */
function proxyCases(): void {
  it('keep sockets on one replica, pass WebSocket upgrades and replace X-Forwarded-For', () => {
    // Sticky on the whole address: ip_hash keys on an IPv4 address's first three octets, so a class on one LAN
    // (one /24) would all land on one replica.
    expect(nginx).toMatch(/^\s*hash\s+\$remote_addr\s+consistent;/m);
    expect(nginx).not.toMatch(/^\s*ip_hash;/m);
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

  it("hold one address's new Socket.IO connections and open connections to the app's own budgets, refused 429", () => {
    const config = loadConfig({});
    const app = config.limits;
    const zone = /^limit_req_zone\s+\$socketio_handshake\s+zone=handshakes:\S+\s+rate=(\d+)r\/s;/m.exec(nginx);
    const burst = /^\s*limit_req\s+zone=handshakes\s+burst=(\d+)\s+nodelay;/m.exec(nginx);
    // A class behind one NAT shares both: never stricter than the app's hello budget per address, which is sized for it.
    expect(Number(zone?.[1])).toBe(app.helloPerAddress.perSecond);
    expect(Number(burst?.[1])).toBe(app.helloPerAddress.burst);
    const conns = Number(/^\s*limit_conn\s+per_address\s+(\d+);/m.exec(nginx)?.[1]);
    expect(conns).toBeGreaterThanOrEqual(2 * config.anonymousSocketsPerAddress);
    expect(nginx).toMatch(/^limit_conn_zone\s+\$binary_remote_addr\s+zone=per_address:/m);
    // Not 503, which the app (and its clients) use for "Redis away".
    expect(nginx).toMatch(/^\s*limit_req_status\s+429;/m);
    expect(nginx).toMatch(/^\s*limit_conn_status\s+429;/m);

    // Only a connection's first request is counted: /socket.io/ without a sid (nginx's map matches "$uri:$arg_sid").
    const map = /^map\s+"\$uri:\$arg_sid"\s+\$socketio_handshake\s*\{\s*~(\S+)\s+\$binary_remote_addr;\s*default\s+'';\s*\}/m.exec(nginx);
    expect(map).not.toBeNull();
    const counted = new RegExp(map?.[1] ?? '$^');
    expect(counted.test('/socket.io/:')).toBe(true);
    expect(counted.test('/socket.io/:Vx3kP0aBcD_efGh')).toBe(false);
    expect(counted.test('/api/join:')).toBe(false);
    expect(counted.test('/:')).toBe(false);
  });
}

/** nginx's own check of the config, and what the image and compose run. */
function imageCases(): void {
  it.skipIf(!nginxBinary())('pass `nginx -t` (nginx is installed here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-nginx-'));
    try {
      // As the official image includes it (conf.d inside http), with the compose service name made an address
      // nginx need not resolve, and an unprivileged port.
      const site = nginx.replace('server app:3000', 'server 127.0.0.1:3000').replace(/listen 80;/, 'listen 127.0.0.1:18080;');
      writeFileSync(join(dir, 'site.conf'), site);
      writeFileSync(
        join(dir, 'nginx.conf'),
        `pid ${join(dir, 'nginx.pid')};\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include ${join(dir, 'site.conf')};\n}\n`,
      );
      const r = spawnSync(nginxBinary() as string, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run the app as `node` with its code and packages owned by root, so the process cannot rewrite them', () => {
    const run = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(run).toMatch(/^USER node$/m);
    const copies = run.split('\n').filter((line) => line.startsWith('COPY '));
    expect(copies.length).toBeGreaterThan(3);
    expect(copies.filter((line) => line.includes('--chown'))).toEqual([]);
    expect(run).not.toMatch(/^RUN\s+chown/m);
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
}

describe('deploy/nginx.conf and docker-compose.yml', () => {
  hostCases();
  proxyCases();
  imageCases();
});

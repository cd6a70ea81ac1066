/**
 * DNS rebinding: a request (API, page, health, metrics on either port, the socket's handshake) whose Host
 * is not one of the server's names is refused, while IP literals, localhost, the machine's own name and
 * `<name>.local`, PUBLIC_URL's name and ALLOWED_HOSTS pass; the METRICS_PORT listener takes only its own
 * names (METRICS_HOST, METRICS_HOSTS), never the public port's.
 */
import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { ConfigError, loadConfig } from '../src/config.ts';
import { hostAllowed, hostPolicy, metricsHostPolicy, metricsHostsWarning } from '../src/http/host-check.ts';
import { recordingLogger, startServer, type TestServer } from './harness.ts';

let dist: string;
const servers: TestServer[] = [];
beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'rubicon-dist-'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Rubicon</title>');
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dist, { recursive: true, force: true });
});

async function serve(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer({ backend: 'memory', env: { CLIENT_DIST: dist, METRICS_TOKEN: 'metrics-secret-1234', ...env } });
  servers.push(server);
  return server;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET to the server's own address with `host` written in the Host header, as a rebinding page's browser sends it. */
function get(server: TestServer, path: string, host: string): Promise<Answer> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** A WebSocket handshake to the server's own address, its page at http://<host> (Origin and Host both that name). */
function handshake(server: TestServer, host: string): Promise<'connected' | string> {
  const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { host, origin: `http://${host}` } });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

describe('a rebinding name in Host', () => {
  it('is refused on the API (403 host_not_allowed, JSON), on pages (a plain 403), on /healthz and /metrics, with the security headers', async () => {
    const server = await serve();
    const host = `evil.example:${new URL(server.url).port}`;
    for (const p of ['/api/scenarios', '/api/sessions/abc', '/healthz', '/metrics']) {
      const r = await get(server, p, host);
      expect(r.status, p).toBe(403);
      expect(JSON.parse(r.body), p).toMatchObject({ error: { code: 'host_not_allowed', message: expect.stringContaining('ALLOWED_HOSTS') as unknown } });
    }
    for (const p of ['/', '/join/ABCD2345', '/s/abc/play']) {
      const r = await get(server, p, host);
      expect(r.status, p).toBe(403);
      expect(r.headers['content-type'], p).toMatch(/^text\/plain/);
      expect(r.body, p).toContain('evil.example');
      expect(r.headers['content-security-policy'], p).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['x-frame-options'], p).toBe('DENY');
    }
  });

  it("is refused on the socket's handshake, WebSocket and polling, though its Origin matches its Host", async () => {
    const server = await serve();
    const port = new URL(server.url).port;
    expect(await handshake(server, `evil.example:${port}`)).not.toBe('connected');
    const polling = await get(server, '/socket.io/?EIO=4&transport=polling', `evil.example:${port}`);
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body)).toMatchObject({ message: 'host_not_allowed' });
    expect(await handshake(server, `localhost:${port}`)).toBe('connected');
    expect((await get(server, '/socket.io/?EIO=4&transport=polling', `127.0.0.1:${port}`)).status).toBe(200);
  });

  it('passes for IP literals (a LAN address), localhost and *.localhost, as npm start and the compose proxy send them', async () => {
    const server = await serve();
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, `192.168.1.20:${port}`, '10.0.0.7', `[::1]:${port}`, `localhost:${port}`, 'localhost:8080', 'LOCALHOST', 'rubicon.localhost:8080']) {
      expect((await get(server, '/', host)).status, host).toBe(200);
      expect((await get(server, '/api/scenarios', host)).status, host).toBe(200);
    }
    expect(await handshake(server, `192.168.1.20:${port}`)).toBe('connected');
  });

  it("passes for PUBLIC_URL's name and the names ALLOWED_HOSTS lists; ALLOWED_HOSTS=* lets any name in", async () => {
    const named = await serve({ PUBLIC_URL: 'https://rubicon.school.example', ALLOWED_HOSTS: 'teacher-laptop.local, .district.example' });
    for (const host of ['rubicon.school.example', 'teacher-laptop.local:3000', 'district.example', 'a.district.example:8080'])
      expect((await get(named, '/', host)).status, host).toBe(200);
    for (const host of ['evil.example', 'school.example', 'baddistrict.example', 'rubicon.school.example.evil.example'])
      expect((await get(named, '/', host)).status, host).toBe(403);
    expect(await handshake(named, 'a.district.example')).toBe('connected');
    const open = await serve({ ALLOWED_HOSTS: '*' });
    expect((await get(open, '/api/scenarios', 'evil.example')).status).toBe(200);
    expect(await handshake(open, 'evil.example')).toBe('connected');
  });
});

describe("the METRICS_PORT listener's Host check", () => {
  it('refuses a rebinding name with 403 host_not_allowed before the token is looked at, and lets its own address and localhost in', async () => {
    const server = await serve({ METRICS_PORT: '0' });
    const metrics = server.app.metricsUrl()!;
    const port = new URL(metrics).port;
    const refused = await get({ ...server, url: metrics }, '/metrics', `evil.example:${port}`);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'host_not_allowed', message: expect.stringContaining('METRICS_HOSTS=evil.example') as unknown } });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `${hostname()}.local:${port}`]) expect((await get({ ...server, url: metrics }, '/metrics', host)).status, host).toBe(401);
  });

  it("answers to none of the public port's names: a partner's origin, PUBLIC_URL's and ALLOWED_HOSTS' (red team, 6 December)", async () => {
    const server = await serve({ METRICS_PORT: '0', ALLOWED_ORIGINS: 'https://partner.example', PUBLIC_URL: 'https://rubicon.school.example', ALLOWED_HOSTS: 'rubicon-app' });
    const metrics = { ...server, url: server.app.metricsUrl()! };
    // The partner's DNS owner could point partner.example at this listener; the public port still takes its name.
    for (const host of ['partner.example', 'rubicon.school.example', 'rubicon-app:9464']) expect((await get(metrics, '/metrics', host)).status, host).toBe(403);
    for (const host of ['partner.example', 'rubicon.school.example', 'rubicon-app']) expect((await get(server, '/api/scenarios', host)).status, host).toBe(200);
  });

  it('answers to the names METRICS_HOSTS lists (a scraper naming its target by a service name) and to METRICS_HOST', async () => {
    const server = await serve({ METRICS_PORT: '0', METRICS_HOSTS: 'app, .monitoring.internal' });
    const metrics = { ...server, url: server.app.metricsUrl()! };
    for (const host of ['app:9464', 'APP', 'monitoring.internal', 'rubicon-1.monitoring.internal:9464']) expect((await get(metrics, '/metrics', host)).status, host).toBe(401);
    for (const host of ['prometheus.evil.example', 'app.evil.example', 'badmonitoring.internal']) expect((await get(metrics, '/metrics', host)).status, host).toBe(403);
    // METRICS_HOSTS is the metrics listener's alone: the public port does not take its names.
    expect((await get(server, '/api/scenarios', 'app.monitoring.internal')).status).toBe(403);
    const policy = metricsHostPolicy({ metricsHosts: [], bindHost: 'metrics.lan', machineName: '3f2a9c1d7e04' });
    for (const host of ['metrics.lan:9464', '3f2a9c1d7e04', '127.0.0.1:9464', 'localhost']) expect(hostAllowed(policy, host), host).toBe(true);
    expect(hostAllowed(policy, 'evil.example')).toBe(false);
  });

  it('comes from METRICS_HOSTS, which refuses a scheme or port with a ConfigError', () => {
    expect(loadConfig({}).metrics.hosts).toEqual([]);
    expect(loadConfig({ METRICS_HOSTS: ' App , .b.example ' }).metrics.hosts).toEqual(['app', '.b.example']);
    expect(loadConfig({ METRICS_HOSTS: '*' }).metrics.hosts).toBe('all');
    for (const bad of ['http://app', 'app:9464']) expect(() => loadConfig({ METRICS_HOSTS: bad }), bad).toThrow(ConfigError);
  });
});

describe('turning the METRICS_PORT listener\'s Host check off', () => {
  // Either setting's warning: on the old code ALLOWED_HOSTS=all gave one.
  const warning = /turns the Host check off on the METRICS_PORT listener/;
  const start = async (env: Record<string, string>) => {
    const recording = recordingLogger();
    const server = await startServer({ backend: 'memory', env: { CLIENT_DIST: dist, METRICS_PORT: '0', ...env }, deps: { logger: recording.logger } });
    servers.push(server);
    const metrics = server.app.metricsUrl();
    const scrape = () => get({ ...server, url: metrics! }, '/metrics', `evil.example:${new URL(metrics!).port}`);
    return { scrape, warned: () => recording.lines().some((l) => warning.test(l.msg)) };
  };

  it('takes METRICS_HOSTS=all, not ALLOWED_HOSTS=all (a proxy in front of the public port), and says so at start', async () => {
    const proxied = await start({ ALLOWED_HOSTS: 'all', METRICS_TOKEN: '' });
    expect((await proxied.scrape()).status).toBe(403);
    expect(proxied.warned()).toBe(false);
    const open = await start({ METRICS_HOSTS: 'all', METRICS_TOKEN: '' });
    expect((await open.scrape()).status).toBe(200);
    expect(open.warned()).toBe(true);
  });

  it('says nothing when METRICS_TOKEN guards it, or when there is no such listener', async () => {
    expect((await start({ METRICS_HOSTS: 'all', METRICS_TOKEN: 'metrics-secret-1234' })).warned()).toBe(false);
    expect((await start({ METRICS_HOSTS: 'all', METRICS_PORT: '', METRICS_TOKEN: '' })).warned()).toBe(false);
  });
});

describe('ALLOWED_HOSTS names the METRICS_PORT listener no longer answers to', () => {
  const own = { metricsHosts: [] as string[], bindHost: '127.0.0.1', machineName: '3f2a9c1d7e04' };

  it('are named in one warning saying to list them in METRICS_HOSTS; those it answers to (METRICS_HOSTS, its own names) are not', () => {
    const warning = metricsHostsWarning(['rubicon-app', '.school.example', 'metrics.lan', '3F2A9C1D7E04', 'scrape.example.'], {
      ...own,
      metricsHosts: ['scrape.example'],
      bindHost: 'metrics.lan',
    });
    expect(warning).toContain('"rubicon-app", ".school.example", which the METRICS_PORT listener does not answer to');
    expect(warning).toContain('METRICS_HOSTS=rubicon-app,.school.example)');
    expect(warning).not.toMatch(/metrics\.lan|3f2a9c1d7e04|scrape\.example/i);
    // A suffix entry is covered by the same suffix (or a wider one) in METRICS_HOSTS, not by one name under it.
    expect(metricsHostsWarning(['.school.example'], { ...own, metricsHosts: ['.example'] })).toBeNull();
    expect(metricsHostsWarning(['.school.example'], { ...own, metricsHosts: ['app.school.example'] })).toContain('".school.example"');
  });

  it('say nothing when there are none, when METRICS_HOSTS=all, or for ALLOWED_HOSTS=all', () => {
    expect(metricsHostsWarning([], own)).toBeNull();
    expect(metricsHostsWarning(['rubicon-app'], { ...own, metricsHosts: 'all' })).toBeNull();
    expect(metricsHostsWarning('all', own)).toBeNull();
  });

  it('are warned of once at start, only with a METRICS_PORT listener', async () => {
    const warnings = async (env: Record<string, string>) => {
      const recording = recordingLogger();
      servers.push(await startServer({ backend: 'memory', env: { CLIENT_DIST: dist, ...env }, deps: { logger: recording.logger } }));
      return recording.lines().filter((l) => l.msg.includes('METRICS_HOSTS too'));
    };
    const moved = await warnings({ METRICS_PORT: '0', ALLOWED_HOSTS: 'rubicon-app' });
    expect(moved).toHaveLength(1);
    expect(moved[0]?.msg).toContain('METRICS_HOSTS=rubicon-app)');
    expect(await warnings({ METRICS_PORT: '0', ALLOWED_HOSTS: 'rubicon-app', METRICS_HOSTS: 'rubicon-app' })).toEqual([]);
    expect(await warnings({ ALLOWED_HOSTS: 'rubicon-app' })).toEqual([]);
  });
});

describe("the machine's own name", () => {
  it('passes as it is, as its first label and as <label>.local with nothing set; another .local name gets a page saying what to set', async () => {
    const server = await serve();
    const port = new URL(server.url).port;
    const label = hostname().toLowerCase().split('.')[0]!;
    for (const host of [`${hostname()}:${port}`, `${label}.local:${port}`, `${label.toUpperCase()}.LOCAL`, label]) {
      expect((await get(server, '/', host)).status, host).toBe(200);
      expect((await get(server, '/api/scenarios', host)).status, host).toBe(200);
    }
    expect(await handshake(server, `${label}.local:${port}`)).toBe('connected');
    const other = await get(server, '/', `other-${label}.local:${port}`);
    expect(other.status).toBe(403);
    expect(other.body).toContain(`ALLOWED_HOSTS=other-${label}.local`);
  });

  it('adds its name, first label and .local form, and nothing for an empty or IP-literal hostname', () => {
    const settings = { allowedHosts: [], publicUrl: undefined, bindHost: '0.0.0.0', allowedOrigins: null };
    const laptop = hostPolicy({ ...settings, machineName: 'Teacher-Laptop.lan' });
    for (const host of ['teacher-laptop.lan', 'teacher-laptop', 'teacher-laptop.local:3000', 'TEACHER-LAPTOP.local.']) expect(hostAllowed(laptop, host), host).toBe(true);
    for (const host of ['evil.local', 'teacher-laptop.local.evil.example', 'teacher-laptop.evil.example', 'lan', 'local']) expect(hostAllowed(laptop, host), host).toBe(false);
    expect(hostPolicy({ ...settings, machineName: '' })).toEqual(hostPolicy({ ...settings, machineName: '10.0.0.5' }));
    expect(hostPolicy({ ...settings, machineName: 'bad name' })).toEqual(['0.0.0.0']);
  });
});

describe("odd Host forms against the machine's own names (red team, 6 December)", () => {
  const settings = { allowedHosts: [], publicUrl: undefined, bindHost: '127.0.0.1', allowedOrigins: null };
  const laptop = hostPolicy({ ...settings, machineName: 'Teacher-Laptop.local' });

  it('passes only the names themselves, in the forms a browser sends them', () => {
    for (const host of ['teacher-laptop.local:3000', 'TEACHER-LAPTOP.LOCAL.', 'teacher-laptop.local.:3000', 'teacher-laptop'])
      expect(hostAllowed(laptop, host), host).toBe(true);
    // Userinfo, a second name after a comma or a space, control characters, a full-width dot, brackets, an empty port,
    // a name under or over the machine's, encoded dots: none is the machine's name, so none passes.
    const forged = [
      'teacher-laptop.local@evil.example', 'evil.example@teacher-laptop.local', 'user@teacher-laptop.local', 'teacher-laptop.local,evil.example',
      'teacher-laptop.local evil.example', '\tteacher-laptop.local', 'teacher-laptop.local\u0000', 'teacher-laptop\u3002local', '[teacher-laptop.local]',
      'teacher-laptop.local:', 'teacher-laptop.local:0x10', 'teacher-laptop.local..', 'teacher-laptop.local.evil.example', 'evil.teacher-laptop.local',
      'teacher-laptop%2elocal', 'teacher-laptop.local/x', 'local', '.local', '',
    ];
    for (const host of forged) expect(hostAllowed(laptop, host), JSON.stringify(host)).toBe(false);
  });

  it('adds nothing a remote name could be for the hostnames machines really have', () => {
    // A container's id, a Linux default, macOS's .local name with its trailing dot, and what no Host could carry.
    expect(hostPolicy({ ...settings, machineName: '3f2a9c1d7e04' })).toEqual(['127.0.0.1', '3f2a9c1d7e04', '3f2a9c1d7e04', '3f2a9c1d7e04.local']);
    expect(hostPolicy({ ...settings, machineName: 'localhost.localdomain' })).toEqual(['127.0.0.1', 'localhost.localdomain', 'localhost', 'localhost.local']);
    expect(hostPolicy({ ...settings, machineName: 'Teacher-Laptop.local.' })).toEqual(laptop);
    for (const odd of ['(none)', 'laptop..lan', '.', '::1', '192.168.1.20', 'my_pc', ''])
      expect(hostPolicy({ ...settings, machineName: odd }), JSON.stringify(odd)).toEqual(['127.0.0.1']);
    // A rebinding page's name is one the attacker's DNS answers: never one of these.
    for (const host of ['evil.example', 'teacher-laptop.evil.example', 'localhost.localdomain.evil.example'])
      expect(hostAllowed(hostPolicy({ ...settings, machineName: 'localhost.localdomain' }), host), host).toBe(false);
  });
});

describe('hostAllowed', () => {
  const policy = hostPolicy({ allowedHosts: ['.example.org'], publicUrl: 'http://Rubicon.Example:8080/', bindHost: 'rubicon.lan', allowedOrigins: ['https://play.example.net'], machineName: '' });
  it('reads every form of Host header a browser sends, and refuses what is not one', () => {
    for (const host of ['rubicon.example', 'RUBICON.EXAMPLE:8080', 'rubicon.example.', 'rubicon.lan:3000', 'play.example.net', 'example.org', 'x.y.example.org', '[2001:db8::1]:80', '203.0.113.5', 'localhost.'])
      expect(hostAllowed(policy, host), host).toBe(true);
    for (const host of ['', 'evil.example', 'localhost.evil.example', 'evilexample.org', 'rubicon.example;x', 'rubicon.example:', 'a b', '[evil.example]', '127.0.0.1.evil.example'])
      expect(hostAllowed(policy, host), host).toBe(false);
    // No Host at all is not a browser (HTTP/1.0 scripts).
    expect(hostAllowed(policy, undefined)).toBe(true);
    expect(hostAllowed('all', 'evil.example')).toBe(true);
  });

  it('comes from ALLOWED_HOSTS, which refuses a scheme or port with a ConfigError', () => {
    expect(loadConfig({}).allowedHosts).toEqual([]);
    expect(loadConfig({ ALLOWED_HOSTS: ' A.example , .b.example ' }).allowedHosts).toEqual(['a.example', '.b.example']);
    expect(loadConfig({ ALLOWED_HOSTS: 'a.example,*' }).allowedHosts).toBe('all');
    expect(loadConfig({ ALLOWED_HOSTS: 'all' }).allowedHosts).toBe('all');
    for (const bad of ['http://a.example', 'a.example:8080', 'a.example/x']) expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(ConfigError);
  });
});

/**
 * Delivery: what a phone on a slow link pays to open a team console or the
 * display, and how fast a beat change reaches ten open pages. Prints figures,
 * asserts nothing. Run by `npm run bench` after the server benchmark.
 *
 * 1. bytes on the wire (HTTP, as Chromium counts them: headers and compressed
 *    bodies) for a cold team console and a cold display, next to what the same
 *    files weigh uncompressed (what the server sent before it compressed);
 * 2. time to a usable team console (connected, move cards on screen) and to a
 *    drawn display on an emulated 1.6 Mbps / 750 kbps / 150 ms link (Chromium's
 *    network emulation over CDP), cold cache, three runs each;
 * 3. a beat change: the white cell's ADVANCE to the new beat's title on ten
 *    open pages (four consoles, six displays), five beat changes.
 *
 * The app runs in this process (memory store, port 0, loopback) and serves the
 * built client (client/dist; built first if missing). Chromium is Debian's.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Command, CreateSessionResponse, JoinResponse, ServerToClientEvents } from '@rubicon/shared';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'client/dist');
const LINK = { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (0.75e6 / 8) | 0 };
const RUNS = 3;
const BEAT_CHANGES = 5;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

type FacSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function post<T>(base: string, url: string, body: unknown): Promise<T> {
  const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A white cell over the wire protocol, to move the session on. */
async function whiteCell(base: string, sessionId: string, token: string): Promise<{ send: (c: Command) => Promise<void>; close: () => void }> {
  const socket: FacSocket = io(base, { transports: ['websocket'] });
  // Game commands name the game version of the view they were made on.
  let gameVersion = 0;
  let version = 0;
  const waiting: (() => void)[] = [];
  socket.on('update', (u) => {
    if (u.view) gameVersion = Math.max(gameVersion, u.view.gameVersion);
    version = Math.max(version, u.version);
    for (const w of waiting.splice(0)) w();
  });
  // The next command is made on the view this one produced, so wait for its update.
  const reach = async (v: number) => {
    while (version < v) await new Promise<void>((r) => waiting.push(r));
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () =>
      socket.emit('hello', { sessionId, token }, (ack) =>
        ack.ok ? ((gameVersion = ack.data.view.gameVersion), (version = ack.data.version), resolve()) : reject(new Error(ack.error.message)),),
    );
  });
  let n = 0;
  return {
    send: (command) =>
      new Promise((resolve, reject) =>
        socket.emit('command', { commandId: `bench-${Date.now().toString(36)}-${n++}`, expectedGameVersion: gameVersion, command }, (ack) => {
          if (!ack.ok) return reject(new Error(`${command.type}: ${ack.error.message}`));
          void reach(ack.data.version).then(resolve);
        }),
      ),
    close: () => socket.close(),
  };
}

async function newSession(base: string, review: boolean): Promise<CreateSessionResponse> {
  return post<CreateSessionResponse>(base, '/api/sessions', { scenarioId: 'april-2024', review, timerScale: 10 });
}

async function join(base: string, code: string): Promise<JoinResponse> {
  return post<JoinResponse>(base, '/api/join', { code });
}

/** A context whose storage already holds the credential, as after joining on this device. */
async function contextWith(browser: Browser, viewport: { width: number; height: number }, sessionId: string, cred: JoinResponse): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  const slot = cred.role.kind === 'seat' ? `seat:${cred.role.seat}` : cred.role.kind;
  const items: [string, string][] = [[`rubicon:cred:${sessionId}:${slot}`, JSON.stringify({ token: cred.token, role: cred.role })]];
  if (cred.role.kind === 'seat') items.push([`rubicon:lastSeat:${sessionId}`, cred.role.seat]);
  await context.addInitScript((pairs: [string, string][]) => {
    for (const [k, v] of pairs) localStorage.setItem(k, v);
  }, items);
  return context;
}

interface Load {
  ms: number;
  httpBytes: number;
  wsBytes: number;
  requests: number;
}

/** Opens `url` cold on the emulated link and waits for `ready`; counts what crossed the wire. */
async function coldLoad(context: BrowserContext, url: string, ready: (page: Page) => Promise<void>): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...LINK });
  let httpBytes = 0;
  let wsBytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => {
    httpBytes += e.encodedDataLength;
    requests++;
  });
  cdp.on('Network.webSocketFrameReceived', (e) => (wsBytes += e.response.payloadData.length));
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  const ms = Date.now() - t0;
  await page.close();
  return { ms, httpBytes, wsBytes, requests };
}

/** What the built files weigh uncompressed (index.html and every JS/CSS asset): the wire before compression. */
function identityBytes(names: string[]): number {
  return names.reduce((sum, n) => sum + statSync(path.join(dist, n)).size, 0);
}

async function main(): Promise<void> {
  if (!existsSync(path.join(dist, 'index.html'))) execSync('npm run build', { cwd: root, stdio: 'inherit' });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: dist, HTTP_RATE_LIMIT_BURST: '1000', RATE_LIMIT_BURST: '1000' });
  const app = await createApp(config);
  const base = await app.listen();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    process.stderr.write(`${s}\n`);
  };
  try {
    const assets = readdirSync(path.join(dist, 'assets')).filter((n) => /\.(js|css)$/.test(n));
    const mapChunk = assets.filter((n) => /countries|world|land/i.test(n));
    const appAssets = assets.filter((n) => !mapChunk.includes(n));
    out(`Uncompressed app (index.html + JS + CSS, no map data): ${kb(identityBytes(['index.html', ...appAssets.map((a) => `assets/${a}`)]))}; map data chunk(s): ${kb(identityBytes(mapChunk.map((a) => `assets/${a}`)))}`);

    // 1–2. Cold loads on the slow link.
    const consoleLoads: Load[] = [];
    const displayLoads: Load[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await newSession(base, true);
      const fac = await whiteCell(base, s.sessionId, s.facilitatorToken);
      await fac.send({ type: 'START' });
      await fac.send({ type: 'ADVANCE' });
      const seat = await join(base, s.codes.find((c) => c.role.kind === 'seat')!.code);
      const obs = await join(base, s.codes.find((c) => c.role.kind === 'observer')!.code);
      const c1 = await contextWith(browser, { width: 390, height: 844 }, s.sessionId, seat);
      consoleLoads.push(
        await coldLoad(c1, `${base}/s/${s.sessionId}/play`, async (p) => {
          await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
          await p.getByTestId('lock-in').waitFor();
        }),
      );
      await c1.close();
      const c2 = await contextWith(browser, { width: 1920, height: 1080 }, s.sessionId, obs);
      displayLoads.push(
        await coldLoad(c2, `${base}/s/${s.sessionId}/display`, async (p) => {
          await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
          await p.locator('.map__land path').first().waitFor();
        }),
      );
      await c2.close();
      fac.close();
    }
    const show = (what: string, loads: Load[]) =>
      out(
        `${what}: ${kb(median(loads.map((l) => l.httpBytes)))} HTTP on the wire (${loads[0]!.requests} requests) + ${kb(median(loads.map((l) => l.wsBytes)))} socket; ` +
          `ready in median ${median(loads.map((l) => l.ms))} ms (runs: ${loads.map((l) => l.ms).join(', ')} ms) on 1.6 Mbps / 150 ms`,
      );
    show('Team console (390×844, cold)', consoleLoads);
    show('Display (1920×1080, cold, map drawn)', displayLoads);

    // 3. A beat change reaching ten pages.
    const s = await newSession(base, false);
    const fac = await whiteCell(base, s.sessionId, s.facilitatorToken);
    const seatCodes = s.codes.filter((c) => c.role.kind === 'seat').slice(0, 4);
    const obsCode = s.codes.find((c) => c.role.kind === 'observer')!.code;
    const pages: { page: Page; context: BrowserContext }[] = [];
    for (const c of seatCodes) {
      const context = await contextWith(browser, { width: 390, height: 844 }, s.sessionId, await join(base, c.code));
      const page = await context.newPage();
      await page.goto(`${base}/s/${s.sessionId}/play`);
      pages.push({ page, context });
    }
    for (let i = 0; i < 6; i++) {
      const context = await contextWith(browser, { width: 1280, height: 720 }, s.sessionId, await join(base, obsCode));
      const page = await context.newPage();
      await page.goto(`${base}/s/${s.sessionId}/display`);
      pages.push({ page, context });
    }
    for (const { page } of pages) await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await fac.send({ type: 'START' });
    await fac.send({ type: 'ADVANCE' });
    const samples: number[] = [];
    for (let b = 0; b < BEAT_CHANGES; b++) {
      // Close planning (no review: the proposal applies at once), then open the next beat and time it.
      await fac.send({ type: 'ADVANCE' });
      for (const { page } of pages) await page.locator('[data-testid="phase"][data-phase="resolution"]').waitFor();
      const marks = pages.map(({ page }) =>
        page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const seen = () => document.querySelector('[data-testid="phase"]')?.getAttribute('data-phase') === 'planning';
              const obs = new MutationObserver(() => {
                if (seen()) {
                  obs.disconnect();
                  resolve(performance.timeOrigin + performance.now());
                }
              });
              obs.observe(document.body, { subtree: true, attributes: true, childList: true });
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 200));
      const sent = Date.now();
      const done = fac.send({ type: 'ADVANCE' }).catch((err: unknown) => err);
      const at = await Promise.all(marks);
      const err = await done;
      if (err instanceof Error) {
        out(`Beat change ${b + 1}: stopped (${err.message})`);
        break;
      }
      samples.push(...at.map((t) => t - sent));
    }
    if (samples.length > 0)
      out(
        `Beat change to 10 pages (${samples.length} page updates over ${samples.length / 10} beat changes): median ${median(samples).toFixed(0)} ms, p95 ${pct(samples, 95).toFixed(0)} ms, worst ${Math.max(...samples).toFixed(0)} ms`,
      );
    fac.close();
    for (const { context } of pages) await context.close();
  } finally {
    await browser.close();
    await app.close();
  }
  process.stdout.write(`\nDelivery (Chromium ${browser.version()}, emulated link for loads; loopback for the beat change)\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`delivery bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

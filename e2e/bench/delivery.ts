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
 * 3. a beat change: the white cell's ADVANCE to the new beat's planning phase
 *    on ten open pages (four consoles, six displays), five beat changes.
 *
 * The app runs in this process (memory store, port 0, loopback) and serves the
 * client as `npm run build` makes it (built first). With
 * DELIVERY_COMPARE_DIST=<another built client dir> a second app serves that
 * build and the cold loads of the two take turns: a before/after from one run.
 * Chromium is Debian's.
 *
 * `runDelivery` takes the settings and returns the figures; run as a script it
 * prints them (DELIVERY_RUNS cold loads each, six beat changes). Its small run in
 * CI is e2e/tests/delivery-bench.spec.ts.
 */
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Command, CreateSessionResponse, JoinResponse, ServerToClientEvents } from '@rubicon/shared';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'client/dist');
const LINK = { latency: 150, downloadThroughput: (1.6e6 / 8) | 0, uploadThroughput: (0.75e6 / 8) | 0 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Page code as a string: tsx compiles this file with esbuild's keepNames, which
 * wraps named functions in a `__name` helper that does not exist in the page.
 * It records, as a promise on window, when the phase badge first leaves the
 * phase it shows now (or -1 after 30 s, so a lost update stops the bench
 * instead of hanging it).
 */
const WATCH_PHASE_CHANGE = `void (window.__rubiconChangedAt = new Promise((resolve) => {
  const phase = () => document.querySelector('[data-testid="phase"]')?.getAttribute('data-phase');
  const before = phase();
  const giveUp = setTimeout(() => (observer.disconnect(), resolve(-1)), 30000);
  const observer = new MutationObserver(() => {
    if (phase() === before) return;
    observer.disconnect();
    clearTimeout(giveUp);
    resolve(performance.timeOrigin + performance.now());
  });
  observer.observe(document.body, { subtree: true, attributes: true, childList: true });
}))`;

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
async function whiteCell(base: string, sessionId: string, token: string): Promise<{ send: (c: Command) => Promise<void>; phase: () => string; beat: () => string | null; close: () => void }> {
  const socket: FacSocket = io(base, { transports: ['websocket'] });
  // Game commands name the game version of the view they were made on.
  let gameVersion = 0;
  let version = 0;
  let phase = '';
  let beat: string | null = null;
  const waiting: (() => void)[] = [];
  socket.on('update', (u) => {
    if (u.view && u.view.gameVersion >= gameVersion) {
      gameVersion = u.view.gameVersion;
      phase = u.view.phase;
      beat = u.view.beat?.id ?? null;
    }
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
        ack.ok ? ((gameVersion = ack.data.view.gameVersion), (version = ack.data.version), resolve()) : reject(new Error(ack.error.message)),
      ),
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
    phase: () => phase,
    beat: () => beat,
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

export interface Load {
  ms: number;
  httpBytes: number;
  /** What the same files weigh uncompressed on disk: what the wire carried before the server compressed. */
  identityBytes: number;
  wsBytes: number;
  requests: number;
  /** What happened when, in ms from navigation (DELIVERY_WATERFALL=1 prints the first console load's). */
  waterfall: string[];
}

/** Opens `url` cold on the emulated link and waits for `ready`; counts what crossed the wire. */
async function coldLoad(context: BrowserContext, dir: string, url: string, ready: (page: Page) => Promise<void>): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...LINK });
  let httpBytes = 0;
  let wsBytes = 0;
  let requests = 0;
  const files = new Set<string>();
  // CDP timestamps are monotonic seconds; the navigation's own request sets the zero.
  let zero: number | null = null;
  const at = (ts: number) => `${((ts - (zero ??= ts)) * 1000).toFixed(0).padStart(5)} ms`;
  const names = new Map<string, string>();
  const waterfall: string[] = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    const { pathname } = new URL(e.request.url);
    names.set(e.requestId, `${e.request.method} ${pathname}`);
    waterfall.push(`${at(e.timestamp)} sent ${e.request.method} ${pathname}`);
  });
  cdp.on('Network.webSocketCreated', (e) => waterfall.push(`     (ws) created ${new URL(e.url).pathname}`));
  cdp.on('Network.webSocketFrameSent', (e) => waterfall.push(`${at(e.timestamp)} ws sent ${e.response.payloadData.slice(0, 60)}`));
  cdp.on('Network.webSocketFrameReceived', (e) => waterfall.push(`${at(e.timestamp)} ws received ${e.response.payloadData.length} B: ${e.response.payloadData.slice(0, 40)}`));
  cdp.on('Network.responseReceived', (e) => {
    const { pathname } = new URL(e.response.url);
    const file = path.join(dir, pathname === '/' || !path.extname(pathname) ? 'index.html' : pathname);
    if (file.startsWith(dir) && existsSync(file)) files.add(file);
  });
  cdp.on('Network.loadingFinished', (e) => {
    waterfall.push(`${at(e.timestamp)} done ${names.get(e.requestId) ?? e.requestId} (${e.encodedDataLength} B)`);
    httpBytes += e.encodedDataLength;
    requests++;
  });
  cdp.on('Network.webSocketFrameReceived', (e) => (wsBytes += e.response.payloadData.length));
  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  const ms = Date.now() - t0;
  const painted = await page.evaluate(() => performance.now());
  waterfall.push(`ready (page clock ${painted.toFixed(0)} ms, bench clock ${ms} ms)`);
  await page.close();
  const identityBytes = [...files].reduce((sum, f) => sum + statSync(f).size, 0);
  return { ms, httpBytes, identityBytes, wsBytes, requests, waterfall };
}

interface Build {
  label: string;
  dir: string;
  base: string;
  close: () => Promise<void>;
  console: Load[];
  display: Load[];
}

async function serve(label: string, dir: string): Promise<Build> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', CLIENT_DIST: dir, HTTP_RATE_LIMIT_BURST: '1000', RATE_LIMIT_BURST: '1000' });
  const app = await createApp(config);
  const base = await app.listen();
  return { label, dir, base, close: () => app.close(), console: [], display: [] };
}

/** One cold team console and one cold display of a session in planning, served by `build`. */
async function loadBoth(browser: Browser, build: Build): Promise<void> {
  const { base } = build;
  const s = await newSession(base, true);
  const fac = await whiteCell(base, s.sessionId, s.facilitatorToken);
  await fac.send({ type: 'START' });
  await fac.send({ type: 'ADVANCE' });
  const seat = await join(base, s.codes.find((c) => c.role.kind === 'seat')!.code);
  const obs = await join(base, s.codes.find((c) => c.role.kind === 'observer')!.code);
  const c1 = await contextWith(browser, { width: 390, height: 844 }, s.sessionId, seat);
  build.console.push(
    await coldLoad(c1, build.dir, `${base}/s/${s.sessionId}/play`, async (p) => {
      await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
      await p.getByTestId('lock-in').waitFor();
    }),
  );
  await c1.close();
  const c2 = await contextWith(browser, { width: 1920, height: 1080 }, s.sessionId, obs);
  build.display.push(
    await coldLoad(c2, build.dir, `${base}/s/${s.sessionId}/display`, async (p) => {
      await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
      await p.locator('.map__land path').first().waitFor();
    }),
  );
  await c2.close();
  fac.close();
}

/** Four seats' consoles on a phone and six displays, each on its own context with its own token, opened and not yet live. */
async function openTenPages(browser: Browser, base: string, s: CreateSessionResponse): Promise<{ page: Page; context: BrowserContext }[]> {
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
  return pages;
}

/** What the beat changes showed: for each change, when each of the ten pages showed it (ms after the command; -1: never). */
export interface BeatFigures {
  seen: number[][];
  /** Why the changes stopped before the number asked for, if they did. */
  stopped: string | null;
}

/** 3. A beat change reaching ten pages: how long after the command each page shows the new phase. */
async function beatChanges(browser: Browser, base: string, changes: number): Promise<BeatFigures> {
  const s = await newSession(base, false);
  const fac = await whiteCell(base, s.sessionId, s.facilitatorToken);
  const pages = await openTenPages(browser, base, s);
  const figures: BeatFigures = { seen: [], stopped: null };
  try {
    for (const { page } of pages) await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await fac.send({ type: 'START' });
    await fac.send({ type: 'ADVANCE' });
    const first = fac.beat();
    for (let b = 0; b < changes && figures.stopped === null; b++) {
      // Close planning (no review: the proposal applies at once), unless the game ended.
      if (fac.phase() === 'planning') {
        await fac.send({ type: 'ADVANCE' });
        for (const { page } of pages) await page.locator('[data-testid="phase"][data-phase="resolution"]').waitFor();
      }
      // The next beat, or (when the defaults ended the game) a rewind to the first one: the same broadcast.
      const command: Command = fac.phase() === 'outcome' && first ? { type: 'REWIND', beat: first } : { type: 'ADVANCE' };
      // The watcher is installed on every page before the command is sent, then read back.
      await Promise.all(pages.map(({ page }) => page.evaluate(WATCH_PHASE_CHANGE)));
      const sent = Date.now();
      const done = fac.send(command).catch((err: unknown) => err);
      const at = await Promise.all(pages.map(({ page }) => page.evaluate<number>('window.__rubiconChangedAt')));
      const err = await done;
      figures.seen.push(at.map((t) => (t === -1 ? -1 : t - sent)));
      if (err instanceof Error) figures.stopped = err.message;
      else if (at.includes(-1)) figures.stopped = 'a page did not change phase within 30 s';
    }
  } finally {
    fac.close();
    for (const { context } of pages) await context.close();
  }
  return figures;
}

export interface DeliverySettings {
  /** Cold loads of a console and of a display, each. */
  runs: number;
  beatChanges: number;
  /** Runs `npm run build` first; false serves client/dist as it is (built already, e.g. by the e2e suite's `npm start`). */
  build: boolean;
  /** Another built client, served beside this one, its cold loads interleaved with this build's. */
  compareDist?: string;
  chromiumPath?: string;
}

export interface DeliveryReport {
  chromium: string;
  builds: { label: string; console: Load[]; display: Load[] }[];
  beat: BeatFigures;
}

/** The whole bench: cold loads on the slow link (the builds taking turns), then the beat changes. */
export async function runDelivery(settings: DeliverySettings): Promise<DeliveryReport> {
  if (settings.build) execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const builds = [await serve('this build', dist)];
  const other = settings.compareDist;
  if (other) builds.push(await serve(path.relative(root, path.resolve(other)) || other, path.resolve(other)));
  const browser = await chromium.launch({ executablePath: settings.chromiumPath ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    for (let i = 0; i < settings.runs; i++) for (const build of builds) await loadBoth(browser, build);
    const beat = await beatChanges(browser, builds[0]!.base, settings.beatChanges);
    return { chromium: browser.version(), builds: builds.map(({ label, console, display }) => ({ label, console, display })), beat };
  } finally {
    await browser.close();
    for (const build of builds) await build.close();
  }
}

/** The report as the table's lines; `waterfall`: with the first console load's timeline. */
export function deliveryLines(report: DeliveryReport, waterfall: boolean): string[] {
  const lines: string[] = [];
  const show = (what: string, loads: Load[]) =>
    lines.push(
      `${what}: ${kb(median(loads.map((l) => l.httpBytes)))} HTTP on the wire (${loads[0]!.requests} requests; ${kb(median(loads.map((l) => l.identityBytes)))} of files uncompressed) + ${kb(median(loads.map((l) => l.wsBytes)))} socket; ` +
        `ready in median ${median(loads.map((l) => l.ms))} ms (runs: ${loads.map((l) => l.ms).join(', ')} ms) on 1.6 Mbps / 150 ms`,
    );
  for (const build of report.builds) {
    const tag = report.builds.length > 1 ? ` [${build.label}]` : '';
    show(`Team console (390×844, cold)${tag}`, build.console);
    show(`Display (1920×1080, cold, map drawn)${tag}`, build.display);
    if (waterfall) for (const line of build.console[0]!.waterfall) lines.push(`    ${line}`);
  }
  const { seen, stopped } = report.beat;
  // A stopped change's figures are left out, as they were when the bench stopped at it.
  const samples = seen.slice(0, stopped === null ? seen.length : -1).flat();
  if (stopped !== null) lines.push(`Beat change ${seen.length}: stopped (${stopped})`);
  if (samples.length > 0)
    lines.push(
      `Beat change to 10 pages (${samples.length} page updates over ${samples.length / 10} beat changes): median ${median(samples).toFixed(0)} ms, p95 ${pct(samples, 95).toFixed(0)} ms, worst ${Math.max(...samples).toFixed(0)} ms`,
    );
  return lines;
}

async function main(): Promise<void> {
  const report = await runDelivery({ runs: Number(process.env.DELIVERY_RUNS ?? 3), beatChanges: 6, build: true, compareDist: process.env.DELIVERY_COMPARE_DIST, chromiumPath: process.env.CHROMIUM_PATH });
  const lines = deliveryLines(report, Boolean(process.env.DELIVERY_WATERFALL));
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.stdout.write(`\nDelivery (Chromium ${report.chromium}, emulated link for loads; loopback for the beat change)\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

// Run as a script (not when a test imports it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((err: unknown) => {
    process.stderr.write(`delivery bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });

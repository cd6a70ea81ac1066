import { expect, type Browser, type BrowserContext, type Page, type WebSocket } from '@playwright/test';

export const SEATS = ['iran', 'israel', 'us', 'mediators'] as const;
export type Seat = (typeof SEATS)[number];

/** A browser context with one page, recording everything its Socket.IO connection receives. */
export interface Screen {
  context: BrowserContext;
  page: Page;
  /** Every WebSocket frame and polling response the page received from /socket.io, as text. */
  received: string[];
}

/** `baseURL`: another server than the config's (a spec that starts its own). */
export async function openScreen(browser: Browser, viewport: { width: number; height: number }, baseURL?: string): Promise<Screen> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', ...(baseURL ? { baseURL } : {}) });
  const page = await context.newPage();
  const received: string[] = [];
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/socket.io/')) return;
    ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')));
  });
  page.on('response', (res) => {
    if (!res.url().includes('/socket.io/')) return;
    res.text().then(
      (t) => received.push(t),
      () => undefined,
    );
  });
  return { context, page, received };
}

/**
 * The `update` events among what a page received from index `from` (to `to`), in
 * order (Socket.IO packets `42["update", payload, …]`, several to a polling
 * response).
 */
export function updateFrames(screen: Screen, from = 0, to = screen.received.length): { version: number; messages: { text: string }[] }[] {
  const out: { version: number; messages: { text: string }[] }[] = [];
  for (const chunk of screen.received.slice(from, to))
    for (const packet of chunk.split('\x1e')) {
      if (!packet.startsWith('42')) continue;
      const [event, payload] = JSON.parse(packet.slice(2)) as [string, { version: number; messages: { text: string }[] }];
      if (event === 'update') out.push(payload);
    }
  return out;
}

/** Creates a session through the Home form and lands on its setup page; returns the session id. */
export async function createSessionOnHome(page: Page, opts: { scenario: string; timerScale: string; review: boolean; title?: string }): Promise<string> {
  await page.goto('/');
  const scenario = page.getByTestId(`scenario-${opts.scenario}`);
  await scenario.check();
  await page.getByTestId('timer-scale').selectOption(opts.timerScale);
  await page.getByTestId('review').setChecked(opts.review);
  if (opts.title) await page.getByTestId('session-title').fill(opts.title);
  await page.getByTestId('create-session').click();
  await page.waitForURL(/\/s\/[^/]+\/setup$/);
  const id = /\/s\/([^/]+)\/setup$/.exec(new URL(page.url()).pathname)?.[1];
  if (!id) throw new Error(`no session id in ${page.url()}`);
  return decodeURIComponent(id);
}

/** Reads the seat and observer codes from the setup page. */
export async function readCodes(page: Page, seats: readonly string[]): Promise<Record<string, string>> {
  const codes: Record<string, string> = {};
  for (const s of [...seats, 'observer']) {
    const el = page.getByTestId(`code-${s}`);
    await expect(el).toHaveText(/^[A-Z0-9]{8}$/);
    codes[s] = (await el.textContent())!.trim();
  }
  return codes;
}

/** Joins with the code field on Home (typed in lower case: the field upper-cases it). */
export async function joinWithField(page: Page, code: string): Promise<void> {
  await page.goto('/');
  const field = page.getByTestId('join-code');
  await field.fill(code.toLowerCase());
  await expect(field).toHaveValue(code.toUpperCase());
  await page.getByTestId('join-submit').click();
}

/** Joins with a join link, as from the QR code. */
export async function joinWithLink(page: Page, code: string): Promise<void> {
  await page.goto(`/join/${code}`);
}

/**
 * The next Socket.IO connection the page opens (a new WebSocket: the first transport it tries). Call it
 * BEFORE the action that makes the page reconnect: the status the page shows until then ("live", a refusal)
 * is the old socket's, and a check made on it passes whether or not the page ever came back.
 */
export function nextSocket(page: Page): Promise<WebSocket> {
  return page.waitForEvent('websocket', { predicate: (ws) => ws.url().includes('/socket.io/'), timeout: 20_000 });
}

export async function expectLive(page: Page): Promise<void> {
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
}

/** Marks the document so a later check can prove the page was never reloaded. */
export async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as Record<string, unknown>).__rubiconE2eMark = true;
  });
}

export async function expectNotReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as Record<string, unknown>).__rubiconE2eMark === true), `${page.url()} was reloaded`).toBe(true);
}

/** Chooses a move card and types a rationale, without sending anything. */
export async function chooseMove(page: Page, move: string, rationale: string): Promise<void> {
  await page.getByTestId(`move-option-${move}`).check();
  await page.getByTestId('rationale').fill(rationale);
}

/**
 * Locks in what is on the form and waits for the server's word: the status
 * says locked, or (for the last seat) planning has already closed.
 */
export async function lockIn(page: Page): Promise<void> {
  await page.getByTestId('lock-in').click();
  const locked = page.locator('[data-testid="move-status"][data-locked="true"]');
  const closed = page.locator('[data-testid="phase"]:not([data-phase="planning"])');
  await expect(locked.or(closed).first()).toBeVisible();
  await expect(page.getByTestId('move-error')).toHaveCount(0);
}

export async function expectPhase(page: Page, phase: string): Promise<void> {
  await expect(page.getByTestId('phase')).toHaveAttribute('data-phase', phase);
}

/** Opens a channel tab and returns the open panel. */
export async function openChannel(page: Page, channel: string) {
  const tab = page.getByTestId(`channel-tab-${channel}`);
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  const panel = page.getByTestId('channel-panel');
  await expect(panel).toHaveAttribute('data-channel', channel);
  return panel;
}

/** Sends a message in the open channel and waits until the server has it (no longer pending, shown as a message). */
export async function sendMessage(page: Page, channel: string, text: string): Promise<void> {
  const panel = await openChannel(page, channel);
  await panel.getByTestId('message-input').fill(text);
  await panel.getByTestId('send-message').click();
  await expect(panel.getByTestId('message').filter({ hasText: text })).toHaveAttribute('data-channel', channel);
  await expect(panel.getByTestId('message-pending')).toHaveCount(0);
  await expect(panel.getByTestId('message-failed')).toHaveCount(0);
}

/** Every channel tab the page shows, by id. */
export async function channelIds(page: Page): Promise<string[]> {
  const ids = await page.locator('[data-testid^="channel-tab-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.replace(/^channel-tab-/, ''));
}

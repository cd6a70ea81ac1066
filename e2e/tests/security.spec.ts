import { expect, test, type BrowserContext, type Page, type Response } from '@playwright/test';
import { playSessionOverSockets } from './support/socket-game.ts';
import { createSessionOnHome, expectLive, readCodes, SEATS } from './support/ui.ts';

/**
 * The security headers and the Content-Security-Policy, in Chromium, on every
 * page of the client: each page's document carries the headers, renders under
 * the policy (its socket goes live, its QR codes and map draw), and the
 * browser reports no violation of the policy while it does. A last check
 * proves the policy is enforced and that violations would be seen: an inline
 * script injected into a page is blocked and reported.
 */
test.describe.configure({ mode: 'serial' });

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every CSP violation the page reported, and console lines about one. */
  violations: string[];
}

async function watch(context: BrowserContext): Promise<Watched> {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __cspViolations?: string[] };
      (w.__cspViolations ??= []).push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  return { context, page, violations };
}

async function reported(w: Watched): Promise<string[]> {
  const fromPage = await w.page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  return [...w.violations, ...fromPage];
}

/** The document's own headers: the policy, and the headers that go with it. */
function expectHardened(res: Response | null, what: string): void {
  expect(res, what).not.toBeNull();
  const h = res!.headers();
  const raw = h['content-security-policy'] ?? '';
  const policy = new Map(
    raw
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources.join(' ')]),
  );
  expect(policy.get('script-src'), what).toBe("'self'");
  expect(policy.get('style-src'), what).toBe("'self'");
  expect(policy.get('frame-ancestors'), what).toBe("'none'");
  expect(policy.get('object-src'), what).toBe("'none'");
  expect(raw, what).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['x-frame-options'], what).toBe('DENY');
  expect(h['referrer-policy'], what).toBe('no-referrer');
  expect(h['cross-origin-opener-policy'], what).toBe('same-origin');
}

const pagesChecked: string[] = [];

/** Opens a page, checks its headers, waits until it has really rendered, and checks no violation was reported. */
async function visit(w: Watched, path: string, what: string, rendered: (page: Page) => Promise<void>): Promise<void> {
  const res = await w.page.goto(path);
  expectHardened(res, what);
  await rendered(w.page);
  // A moment for late work (fonts, QR images, socket frames) to report anything.
  await w.page.waitForTimeout(300);
  expect(await reported(w), `CSP violations on ${what}`).toEqual([]);
  pagesChecked.push(what);
}

/** Home, Setup, the white cell's console, the lobby display and a student's console, before play. */
async function visitBeforePlay(white: Watched, student: Watched): Promise<void> {
  await visit(white, '/', 'home', async (p) => {
    await expect(p.getByTestId('create-session')).toBeEnabled();
  });
  const sessionId = await createSessionOnHome(white.page, { scenario: 'april-2024', timerScale: '1', review: true, title: 'CSP check' });
  await visit(white, `/s/${sessionId}/setup`, 'setup', async (p) => {
    await expect(p.getByTestId('code-observer')).toHaveText(/^[A-Z0-9]{8}$/);
    await expect(p.getByTestId('qr').first()).toBeVisible();
    expect(await p.getByTestId('qr').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });
  const codes = await readCodes(white.page, SEATS);
  await visit(white, `/s/${sessionId}/facilitate`, 'facilitate', async (p) => {
    await expect(p.getByTestId('status-strip')).toBeVisible();
    await expectLive(p);
  });
  await visit(white, `/s/${sessionId}/display`, 'display (lobby, with QR codes)', async (p) => {
    await expect(p.getByTestId('lobby-codes')).toBeVisible();
    await expect(p.getByTestId('qr').first()).toBeVisible();
  });
  await visit(student, `/join/${codes.iran}`, 'join → play', async (p) => {
    await p.waitForURL(/\/s\/[^/]+\/play/);
    await expectLive(p);
    await expect(p.getByTestId('phase')).toHaveAttribute('data-phase', 'lobby');
  });
  await visit(student, `/s/${sessionId}/play?seat=iran`, 'play (reloaded)', async (p) => {
    await expectLive(p);
  });
}

/** A session played to its end: the map, the replay viewer, the report and the comparison of its file. */
async function visitAfterPlay(white: Watched, baseURL: string): Promise<void> {
  const { session } = await playSessionOverSockets(baseURL, 'CSP check, played');
  await white.page.evaluate((c) => {
    localStorage.setItem(`rubicon:cred:${c.sessionId}:facilitator`, JSON.stringify({ token: c.facilitatorToken, role: { kind: 'facilitator' } }));
  }, session);
  await visit(white, `/s/${session.sessionId}/display`, 'display (after play, with the map)', async (p) => {
    await expect(p.getByTestId('map')).toBeVisible();
  });
  await visit(white, `/r/${session.sessionId}`, 'replay', async (p) => {
    await expect(p.getByTestId('scrubber-position')).toHaveText(/^\d+ \/ \d+$/);
    await expect(p.getByTestId('replay-messages')).toBeVisible();
  });
  await visit(white, `/r/${session.sessionId}/report`, 'report', async (p) => {
    await expect(p.getByTestId('report-outcome')).toContainText(/\S/);
    await expect(p.getByTestId('report-escalation')).toBeVisible();
  });
  // The comparison page draws its charts from session files read in the browser.
  const exported = await fetch(new URL(`/api/sessions/${session.sessionId}/export`, baseURL), { headers: { authorization: `Bearer ${session.facilitatorToken}` } });
  const file = { name: 'played.json', mimeType: 'application/json', buffer: Buffer.from(await exported.text()) };
  await visit(white, '/compare', 'compare (a session file loaded, its chart drawn)', async (p) => {
    await p.getByTestId('compare-files').setInputFiles([file]);
    await expect(p.getByTestId('comparison-chart').locator('rect').first()).toBeVisible();
  });
}

/** The pages that need no session: the guide, the handouts, and a page that does not exist. */
async function visitStaticPages(white: Watched): Promise<void> {
  await visit(white, '/guide/april-2024', 'guide', async (p) => {
    await expect(p.getByTestId('guide-beat').first()).toBeVisible();
  });
  await visit(white, '/guide/april-2024/handouts', 'handouts', async (p) => {
    await expect(p.getByTestId('handout').first()).toBeVisible();
  });
  await visit(white, '/no-such-page', 'not found', async (p) => {
    await expect(p.locator('main')).toBeVisible();
  });
}

test('every page carries the headers and renders under the CSP without a violation', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const white = await watch(await browser.newContext({ viewport: { width: 1366, height: 900 } }));
  const student = await watch(await browser.newContext({ viewport: { width: 390, height: 844 } }));
  try {
    await visitBeforePlay(white, student);
    await visitAfterPlay(white, baseURL!);
    await visitStaticPages(white);
    expect(pagesChecked).toHaveLength(13);
  } finally {
    await white.context.close();
    await student.context.close();
  }
});

test('the policy is enforced, and a violation would be seen', async ({ browser }) => {
  const w = await watch(await browser.newContext());
  try {
    await w.page.goto('/');
    await expect(w.page.getByTestId('create-session')).toBeEnabled();
    const ran = await w.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injectedRan = true;';
      document.body.appendChild(script);
      const frame = document.createElement('div');
      frame.setAttribute('onclick', 'window.__injectedRan = true');
      frame.click();
      return (window as unknown as { __injectedRan?: boolean }).__injectedRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(async () => (await reported(w)).join('\n')).toMatch(/script-src/);
  } finally {
    await w.context.close();
  }
});

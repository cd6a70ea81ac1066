import { expect, test, type Page } from '@playwright/test';
import type { JoinResponse } from '@rubicon/shared';
import { expectAccessible } from './support/artifacts.ts';
import { afterLayout, expectInViewport, LAPTOP_SMALL, PHONE, PHONE_SMALL, PROJECTOR, scrollToEnd, smallTapTargets, widerThanPage } from './support/room.ts';
import { post, SocketGame } from './support/socket-game.ts';
import { expectPhase, openScreen, type Screen } from './support/ui.ts';

/**
 * Every screen at the four sizes of a real room (360×740 and 390×844 phones,
 * a 1366×768 laptop, a 1920×1080 projector): none scrolls sideways, and on
 * the phones every control is at least 44 px each way; axe finds nothing
 * serious on any of them. The sessions are played over sockets: one in its
 * first planning phase, one played to the outcome and then the debrief,
 * whose replay and report are screens too.
 */
const SIZES = [PHONE_SMALL, PHONE, LAPTOP_SMALL, PROJECTOR];
const PHONES = new Set([PHONE_SMALL.width, PHONE.width]);

let live: SocketGame;
let done: SocketGame;
let screen: Screen;

interface Credential {
  sessionId: string;
  slot: string;
  token: string;
  role: { kind: 'facilitator' } | { kind: 'observer' } | { kind: 'seat'; seat: string };
}

async function credentialsFor(base: string, game: SocketGame): Promise<Credential[]> {
  const id = game.session.sessionId;
  const observer = game.session.codes.find((c) => c.role.kind === 'observer')!.code;
  const join = await post<JoinResponse>(base, '/api/join', { code: observer });
  return [
    { sessionId: id, slot: 'facilitator', token: game.session.facilitatorToken, role: { kind: 'facilitator' } },
    { sessionId: id, slot: 'observer', token: join.token, role: { kind: 'observer' } },
    { sessionId: id, slot: 'seat:iran', token: game.seats.get('iran')!.token, role: { kind: 'seat', seat: 'iran' } },
  ];
}

test.beforeAll(async ({ browser, baseURL }) => {
  test.setTimeout(300_000);
  live = await SocketGame.create(baseURL!, 'Every screen, live');
  await live.start();
  done = await SocketGame.create(baseURL!, 'Every screen, played');
  await done.start();
  while (await done.resolveBeat()) await done.advance();

  screen = await openScreen(browser, PHONE_SMALL);
  await screen.page.goto('/');
  // What joining leaves in a browser: one token per role (client/src/net/storage.ts); this one holds them all.
  const creds = [...(await credentialsFor(baseURL!, live)), ...(await credentialsFor(baseURL!, done))];
  await screen.page.evaluate((list) => {
    for (const c of list) localStorage.setItem(`rubicon:cred:${c.sessionId}:${c.slot}`, JSON.stringify({ token: c.token, role: c.role }));
  }, creds);
});

test.afterAll(async () => {
  live?.close();
  done?.close();
  await screen?.context.close();
});

async function sweep(page: Page, name: string, url: string, ready: string): Promise<void> {
  await page.setViewportSize(SIZES[0]!);
  await page.goto(url);
  await expect(page.getByTestId(ready).first(), `${name}: ${ready}`).toBeVisible();
  await expectAccessible(page, test.info(), `every-screen-${name.replace(/[^a-z0-9]+/gi, '-')}`);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    // Let the new width lay out (and the parts that follow their own size, the map and the message list, redraw).
    await afterLayout(page);
    // Soft: one run lists every screen's problems, and the test still fails on any.
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    const wide = scroll > client ? ` (${(await widerThanPage(page)).join('; ')})` : '';
    expect.soft(scroll, `${name} at ${size.width}×${size.height} scrolls sideways: ${scroll} px of content in ${client} px${wide}`).toBeLessThanOrEqual(client);
    if (PHONES.has(size.width)) expect.soft(await smallTapTargets(page), `${name} at ${size.width}×${size.height}: controls under 44 px`).toEqual([]);
  }
}

const liveId = () => encodeURIComponent(live.session.sessionId);
const doneId = () => encodeURIComponent(done.session.sessionId);

test('the screens outside a session', async () => {
  test.setTimeout(300_000);
  const page = screen.page;
  await sweep(page, 'Home', '/', 'join-code');
  await sweep(page, 'a refused join', '/join/ZZZZZZZZ', 'join-error');
  await sweep(page, 'the guide', '/guide/april-2024', 'guide-beat');
  await sweep(page, 'the handouts', '/guide/april-2024/handouts', 'handout');
  await sweep(page, 'the comparison page', '/compare', 'compare-files');
});

test('a session in play: setup, the white cell, the projector, a team', async () => {
  test.setTimeout(300_000);
  const page = screen.page;
  await sweep(page, 'Setup', `/s/${liveId()}/setup`, 'codes');
  await sweep(page, 'the facilitator console', `/s/${liveId()}/facilitate`, 'lockin-count');
  await sweep(page, 'the shared display', `/s/${liveId()}/display`, 'display');
  await sweep(page, 'the team console', `/s/${liveId()}/play?seat=iran`, 'move-builder');
});

/** The white cell's lock-in count is on screen at 1366×768 even at the bottom of its console. */
async function stripInView(page: Page, phase: string): Promise<void> {
  await page.setViewportSize(LAPTOP_SMALL);
  await expectPhase(page, phase);
  await scrollToEnd(page);
  await expectInViewport(page, 'lockin-count', `the lock-in count at 1366×768 (${phase})`);
}

test('a finished session: the outcome and the debrief on every screen, the replay and the report', async () => {
  test.setTimeout(400_000);
  const page = screen.page;
  await sweep(page, 'the team’s outcome', `/s/${doneId()}/play?seat=iran`, 'outcome');
  await sweep(page, 'the white cell’s outcome', `/s/${doneId()}/facilitate`, 'outcome');
  await stripInView(page, 'outcome');
  await sweep(page, 'the projector’s outcome', `/s/${doneId()}/display`, 'outcome');
  await done.advance();
  await expectPhase(page, 'debrief');
  await sweep(page, 'the team’s debrief', `/s/${doneId()}/play?seat=iran`, 'debrief');
  await sweep(page, 'the white cell’s debrief', `/s/${doneId()}/facilitate`, 'debrief');
  await stripInView(page, 'debrief');
  await sweep(page, 'the projector’s debrief', `/s/${doneId()}/display`, 'debrief');
  await sweep(page, 'the replay', `/r/${doneId()}`, 'scrubber-position');
  await sweep(page, 'the replay as a seat', `/r/${doneId()}?v=20&as=iran`, 'replay-beat');
  await sweep(page, 'the report', `/r/${doneId()}/report`, 'report-outcome');
});

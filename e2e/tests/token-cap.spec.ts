import { expect, test, type Browser, type Page, type WebSocket } from '@playwright/test';
import { spawnServer, type ChildServer } from '../../server/test/child-server.ts';
import { createSessionOnHome, expectLive, joinWithLink, openScreen, readCodes, type Screen } from './support/ui.ts';

/**
 * A player opens their console in more tabs than the server lets one token hold (SOCKETS_PER_TOKEN). The
 * extra tab is told so in the server's own words, which say to close a tab, with when it tries again, and
 * not that the server is unavailable; once another tab closes it connects by itself. The spec starts its own
 * server with a cap of 2 and a short hello deadline, so that the refused tab's socket is also closed by the
 * server and reopened while it waits, and the tab keeps saying why.
 */
test.describe.configure({ mode: 'serial' });

const CAP = 2;
const SIZE = { width: 1280, height: 800 };

let server: ChildServer;
const screens: Screen[] = [];

test.beforeAll(async () => {
  server = await spawnServer(
    {
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: '',
      SOCKETS_PER_TOKEN: String(CAP),
      // A refused hello is told to wait half of this, and its socket is closed at it.
      HELLO_TIMEOUT_MS: '3000',
      HELLO_RATE_LIMIT_BURST: '100000',
      HTTP_RATE_LIMIT_BURST: '100000',
      PUBLIC_RATE_LIMIT_BURST: '100000',
      ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
    },
    90_000,
  );
});
test.afterAll(async () => {
  for (const s of screens) await s.context.close();
  await server?.terminate();
});

/**
 * How many of the page's sockets the server has refused for the cap so far: a refused socket may say hello
 * again by itself, so refusal frames are counted once per socket, as they arrive.
 */
function socketsRefused(page: Page): () => number {
  const refused = new Set<WebSocket>();
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => {
      if (String(f.payload).includes(`already connected on ${CAP} tabs`)) refused.add(ws);
    });
  });
  return () => refused.size;
}

/**
 * A new session whose Iran player has its console open in two tabs of one browser (so one token), both live:
 * the token's cap is full. `prepare` is done to the first tab before it joins.
 */
async function capFilled(browser: Browser, title: string, prepare: (page: Page) => Promise<void> = async () => {}): Promise<{ player: Screen; second: Page; consoleUrl: string }> {
  const white = await openScreen(browser, SIZE, server.url);
  const player = await openScreen(browser, SIZE, server.url);
  screens.push(white, player);
  await createSessionOnHome(white.page, { scenario: 'april-2024', timerScale: '1', review: false, title });
  const codes = await readCodes(white.page, ['iran']);
  await prepare(player.page);
  await joinWithLink(player.page, codes.iran!);
  await player.page.waitForURL(/\/s\/[^/]+\/play/);
  await expectLive(player.page);
  const consoleUrl = player.page.url();
  const second = await player.context.newPage();
  await second.goto(consoleUrl);
  await expectLive(second);
  return { player, second, consoleUrl };
}

test('a tab past its token\'s limit shows the server\'s words, and connects by itself once another tab closes', async ({ browser }) => {
  // Two tabs of the player's (one token) fill the cap; a third is refused.
  const { player, second, consoleUrl } = await capFilled(browser, 'E2E: one token, too many tabs');

  const extra = await player.context.newPage();
  const refusals = socketsRefused(extra);
  await extra.goto(consoleUrl);
  const refusal = extra.getByTestId('hello-refusal');
  await expect(refusal).toContainText(`This token is already connected on ${CAP} tabs or devices; close one of them`);
  await expect(extra.getByText(/This page is trying again in \d+ s\./)).toBeVisible();
  await expect(extra.getByTestId('connection')).toHaveAttribute('data-reason', 'rate_limited');
  await expect(extra.getByTestId('connection')).toContainText('Refused by a server limit');
  await expect(extra.getByText(/unavailable/)).toHaveCount(0);

  // The server closes the refused tab's socket at its hello deadline; the tab reconnects, is refused again,
  // and still says why. Until that second refusal, what the tab shows is the first socket's.
  await expect.poll(refusals, { message: 'a second socket of the tab is refused too', timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await expect(refusal).toContainText(`already connected on ${CAP} tabs`);
  await expect(extra.getByTestId('connection')).toHaveAttribute('data-status', 'retrying');

  // One tab closes: the extra tab takes its place without being touched.
  await player.page.close();
  await expectLive(extra);
  await expect(refusal).toHaveCount(0);
  await expectLive(second);
});

test('a tab in the game whose reconnect is refused by the cap says so in the game view, and recovers once a place frees', async ({ browser }) => {
  // The first tab's sockets go through a relay the test can cut, as a network drop would; while it is cut,
  // the tab's reconnects fail (over WebSocket and over polling alike), so another tab can take its place.
  let cut = false;
  const relayed: { close: () => Promise<void> }[] = [];
  const relay = async (page: Page) => {
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (cut) return void ws.close();
      relayed.push(ws.connectToServer());
    });
    await page.route(/\/socket\.io\/.*transport=polling/, (route) => (cut ? route.abort() : route.continue()));
  };
  const { player, second, consoleUrl } = await capFilled(browser, 'E2E: a reconnect past the cap', relay);

  // The network drops under the first tab; while it is away a third tab takes its place under the cap.
  cut = true;
  await Promise.all(relayed.splice(0).map((s) => s.close()));
  await expect(player.page.getByTestId('connection')).not.toHaveAttribute('data-status', 'live');
  const third = await player.context.newPage();
  await third.goto(consoleUrl);
  await expectLive(third);

  // The network is back: the first tab reconnects, is refused, and says why above the game it still shows.
  cut = false;
  const refusal = player.page.getByTestId('limit-refusal');
  await expect(refusal).toContainText(`This token is already connected on ${CAP} tabs or devices; close one of them`, { timeout: 30_000 });
  await expect(refusal.getByText(/This page is trying again in \d+ s\./)).toBeVisible();
  await expect(player.page.getByTestId('connection')).toHaveAttribute('data-reason', 'rate_limited');
  await expect(player.page.getByTestId('console-seat')).toBeAttached();
  await expect(player.page.getByTestId('phase')).toBeVisible();

  // Another tab closes: the first tab takes its place by itself, and the notice goes.
  await third.close();
  await expectLive(player.page);
  await expect(refusal).toHaveCount(0);
  await expectLive(second);
});

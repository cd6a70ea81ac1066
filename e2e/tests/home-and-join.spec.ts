import { expect, test } from '@playwright/test';
import { expectAccessible, saveScreen } from './support/artifacts.ts';
import { createSessionOnHome, expectLive, expectNotReloaded, markNoReload, nextSocket } from './support/ui.ts';

/** The two screens a visitor meets before any session: Home and the join page. */
test.use({ viewport: { width: 1440, height: 900 } });

test('home offers the scenarios, the session options and a join field', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('scenario-april-2024')).toBeChecked();
  await expect(page.getByTestId('timer-scale')).toHaveValue('1');
  await expect(page.getByTestId('review')).toBeChecked();
  await expect(page.getByTestId('create-session')).toBeEnabled();
  // A join code needs all eight characters before it can be sent, and is upper-cased as typed.
  await page.getByTestId('join-code').fill('ab1');
  await expect(page.getByTestId('join-code')).toHaveValue('AB1');
  await expect(page.getByTestId('join-submit')).toBeDisabled();
  await page.getByTestId('join-code').fill('');
  await saveScreen(page, test.info(), 'home');
  await expectAccessible(page, test.info(), 'home');
});

test('a join link with an unknown code says why it failed and offers the join field again', async ({ page }) => {
  await page.goto('/join/ZZ9ZZ9');
  await expect(page.getByTestId('join-error')).toBeVisible();
  await expect(page.getByTestId('join-code')).toHaveValue('ZZ9ZZ9');
  await expect(page).toHaveURL(/\/join\/ZZ9ZZ9$/);
  await saveScreen(page, test.info(), 'join');
  await expectAccessible(page, test.info(), 'join');
});

test('a session screen opened without joining asks for a code', async ({ page }) => {
  await page.goto('/s/no-such-session/play?seat=iran');
  await expect(page.getByTestId('join-code')).toBeVisible();
  await saveScreen(page, test.info(), 'join-needed');
  await expectAccessible(page, test.info(), 'join-needed');
});

test('a player whose code the white cell re-issues is told why the console stopped, and joins again with the new code', async ({ page, request }) => {
  const created = (await (await request.post('/api/sessions', { data: { scenarioId: 'april-2024' } })).json()) as {
    sessionId: string;
    facilitatorToken: string;
    codes: { role: { kind: string; seat?: string }; code: string }[];
  };
  const iran = created.codes.find((c) => c.role.seat === 'iran')!.code;
  await page.goto(`/join/${iran}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('console-seat')).toBeAttached();

  const reissued = await request.post(`/api/sessions/${created.sessionId}/access/iran/reissue`, { headers: { authorization: `Bearer ${created.facilitatorToken}` } });
  const fresh = ((await reissued.json()) as { code: string }).code;
  // The server drops the socket and refuses its token; the page says so instead of a stale console marked "Disconnected".
  await expect(page.getByRole('alert')).toContainText('revoked');
  await expect(page.getByTestId('console-seat')).toHaveCount(0);
  await page.getByTestId('join-code').fill(fresh);
  await page.getByTestId('join-submit').click();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await expect(page.getByTestId('console-seat')).toBeAttached();
});

test('the creator replaces its leaked facilitator token on Setup: the old one gets 401, and the page goes on with the new one', async ({ page, request }) => {
  const sessionId = await createSessionOnHome(page, { scenario: 'april-2024', timerScale: '1', review: false });
  await expectLive(page);
  await markNoReload(page);
  const stored = () => page.evaluate((id) => (JSON.parse(localStorage.getItem(`rubicon:cred:${id}:facilitator`) ?? '{}') as { token?: string }).token, sessionId);
  const old = await stored();
  expect(old).toBeTruthy();
  const summary = (token: string | undefined) => request.get(`/api/sessions/${encodeURIComponent(sessionId)}`, { headers: { authorization: `Bearer ${token}` } });
  expect((await summary(old)).status()).toBe(200);

  // The first press only asks; cancelling sends nothing.
  await page.getByTestId('reissue-owner').click();
  await expect(page.getByTestId('reissue-owner-confirmation')).toContainText('signed out');
  await page.getByTestId('reissue-owner-cancel').click();
  expect((await summary(old)).status()).toBe(200);
  await page.getByTestId('reissue-owner').click();
  // Until the page has opened a new socket, the "live" it shows is the old token's socket.
  const reconnected = nextSocket(page);
  await page.getByTestId('reissue-owner-confirm').click();
  await expect(page.getByTestId('owner-notice')).toContainText('This browser now uses the new one');
  await expect.poll(stored).not.toBe(old);
  expect((await summary(old)).status()).toBe(401);
  expect((await summary(await stored())).status()).toBe(200);
  // The server dropped the old token's socket: the page reconnects with the new one, no error, no reload.
  await reconnected;
  await expectLive(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  const observer = (await page.getByTestId('code-observer').textContent())!.trim();
  await page.getByTestId('reissue-observer').click();
  await expect(page.getByTestId('code-observer')).not.toHaveText(observer);
  await expectNotReloaded(page);
});

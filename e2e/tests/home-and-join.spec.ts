import { expect, test } from '@playwright/test';
import { expectAccessible, saveScreen } from './support/artifacts.ts';

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

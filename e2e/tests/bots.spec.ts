import { expect, test } from '@playwright/test';
import { HISTORICAL_PATH } from './support/historical.ts';
import { chooseMove, createSessionOnHome, expectLive, expectPhase, joinWithLink, lockIn, openChannel, openScreen, readCodes, sendMessage, type Screen } from './support/ui.ts';

/**
 * The white cell fills the Mediators' seat with a bot from the setup page.
 * Three human teams play beat 1 with it: the bot joins like a player, locks
 * in on its own, and passes Iran's message on to Washington in the mediated
 * channel, and the humans see all of that.
 */
test.describe.configure({ mode: 'serial' });
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true } });

const HUMANS = ['iran', 'israel', 'us'] as const;
const SIZE = { width: 1280, height: 800 };
let facilitator: Screen;
const players = {} as Record<(typeof HUMANS)[number], Screen>;

test.beforeAll(async ({ browser }) => {
  facilitator = await openScreen(browser, SIZE);
  for (const s of HUMANS) players[s] = await openScreen(browser, SIZE);
});
test.afterAll(async () => {
  for (const s of [facilitator, ...Object.values(players)]) await s?.context.close();
});

test('a bot plays the Mediators: it joins from setup, locks in, and relays Iran’s message to the US', async () => {
  const fac = facilitator.page;
  await createSessionOnHome(fac, { scenario: 'april-2024', timerScale: '1', review: false, title: 'E2E: bots' });
  const codes = await readCodes(fac, [...HUMANS, 'mediators']);

  await fac.getByTestId('bot-select-mediators').selectOption('shuttle-broker');
  await expect(fac.getByTestId('bot-status-mediators')).toContainText('Played by a bot');
  // The bot joined the seat with its code, like any player.
  await expect(fac.getByTestId('presence-mediators')).toHaveAttribute('data-joined', 'true');

  for (const s of HUMANS) {
    await joinWithLink(players[s].page, codes[s]!);
    await expectLive(players[s].page);
  }
  await fac.getByTestId('open-facilitator').click();
  await expectLive(fac);
  await fac.getByTestId('next-action').click();
  await expectPhase(fac, 'briefing');
  await fac.getByTestId('next-action').click();
  for (const s of HUMANS) await expectPhase(players[s].page, 'planning');

  // Iran writes to the mediators; the bot passes it on to Washington (the relay quotes it).
  const note = `Tehran seeks no wider war, ref ${Date.now().toString(36)}`;
  await sendMessage(players.iran.page, 'iran-us-mediated', note);
  const usPanel = await openChannel(players.us.page, 'iran-us-mediated');
  await expect(usPanel.getByTestId('message').filter({ hasText: note })).toBeVisible({ timeout: 30_000 });

  // The humans see the bot's seat locked in, marked as a bot, while they are still deciding.
  for (const s of HUMANS) {
    await expect(players[s].page.getByTestId('lockin-mediators')).toHaveAttribute('data-state', 'locked', { timeout: 30_000 });
    await expect(players[s].page.getByTestId('bot-tag-mediators')).toBeVisible();
  }
  const first = HISTORICAL_PATH[0]!;
  for (const s of HUMANS) {
    await chooseMove(players[s].page, first.moves[s]!, `${s} plays beat 1 alongside a bot mediator.`);
    await lockIn(players[s].page);
  }
  // With the bot's move in, the beat resolves without waiting for the clock: the white cell sees the bot's choice and its rationale.
  for (const s of HUMANS) await expectPhase(players[s].page, 'resolution');
  const card = fac.locator(`[data-testid="resolution"][data-beat="${first.id}"]`).first();
  const botChoice = card.locator('.resolution__choice', { hasText: 'Mediators' });
  await expect(botChoice).toBeVisible();
  await expect(botChoice.locator('.resolution__rationale')).toHaveText(/.{20,}/);
  await expect(botChoice).not.toContainText('no decision in time');
});

test('mid-game the white cell hands a seat its players left to a bot from the console, then gives it back to them', async ({ browser }) => {
  const fac = facilitator.page;
  const codes = await (async () => {
    await fac.getByRole('link', { name: 'Join codes and bots' }).click();
    return readCodes(fac, ['israel']);
  })();
  // Israel's players close their laptops; the white cell, back on the setup page from its console, seats a bot.
  await players.israel.context.close();
  await fac.getByTestId('bot-select-israel').selectOption('take-the-win');
  await expect(fac.getByTestId('bot-status-israel')).toContainText('Played by a bot');
  await fac.getByTestId('open-facilitator').click();
  await expectLive(fac);
  await fac.getByTestId('next-action').click();
  await expectPhase(fac, 'planning');
  // The bot locks in Israel's move for the beat, and the other teams see a bot holds the seat.
  await expect(players.us.page.getByTestId('lockin-israel')).toHaveAttribute('data-state', 'locked', { timeout: 30_000 });
  await expect(players.us.page.getByTestId('bot-tag-israel')).toBeVisible();

  // Israel's players come back while the bot holds the seat: their console says a bot plays it.
  const back = await openScreen(browser, SIZE);
  players.israel = back;
  await joinWithLink(back.page, codes.israel!);
  await expectLive(back.page);
  await expect(back.page.getByTestId('played-by-bot')).toHaveText(/This seat is played by a bot\./);
  // The white cell gives the seat back: the seat is theirs again, with the bot's move locked in until they revise it.
  await fac.getByRole('link', { name: 'Join codes and bots' }).click();
  await fac.getByTestId('bot-select-israel').selectOption('');
  await expect(fac.getByTestId('bot-status-israel')).toHaveCount(0);
  await expect(back.page.getByTestId('played-by-bot')).toHaveCount(0);
  await expect(back.page.getByTestId('move-status')).toHaveAttribute('data-locked', 'true');
  await back.page.getByTestId('revise').click();
  await expect(back.page.getByTestId('move-status')).toHaveAttribute('data-locked', 'false');
  await expect(players.us.page.getByTestId('bot-tag-israel')).toHaveCount(0);
});


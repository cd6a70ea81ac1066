import { expect, test, type Page } from '@playwright/test';
import type { CreateSessionResponse } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { expectAccessible, saveDocsScreen, saveScreen } from './support/artifacts.ts';
import { HISTORICAL_PATH } from './support/historical.ts';
import { expectLive, expectPhase, joinWithLink, openChannel, openScreen, type Screen } from './support/ui.ts';
import { expectInViewport, expectNoSideScroll, LAPTOP_SMALL, PHONE, PHONE_SMALL, PROJECTOR, scrollToEnd, textUnder } from './support/room.ts';

/**
 * The live room, as a class and a white cell would meet it: a teacher laptop
 * at 1366×768 with the projector (1920×1080) opened from it, two students
 * sharing Iran's seat on phones (360 and 390 wide), the mediators on a phone,
 * and Israel and the US never joining (so their seats default). Each test
 * continues where the previous one stopped.
 */
test.describe.configure({ mode: 'serial' });
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true } });

const scenario = shippedScenario('april-2024');
const FIRST = HISTORICAL_PATH[0]!;
/** Beat 1 has time for the room's business; every later beat runs out after a few seconds, to see a default taken. */
const SHORT = 8;

let white: Screen;
let projector: Page;
let sara: Screen;
let ali: Screen;
let mediators: Screen;
let sessionId = '';
let created: CreateSessionResponse;

const fac = () => white.page;
const phones = () => [sara.page, ali.page, mediators.page];

async function noSideScrollAnywhere(step: string): Promise<void> {
  await expectNoSideScroll(fac(), `the console at 1366 (${step})`);
  await expectNoSideScroll(projector, `the projector (${step})`);
  await expectNoSideScroll(sara.page, `Iran at 360 (${step})`);
  await expectNoSideScroll(ali.page, `Iran at 390 (${step})`);
  await expectNoSideScroll(mediators.page, `the mediators at 360 (${step})`);
}

/** The white cell's lock-in count is on screen even at the bottom of the console. */
async function stripInView(step: string): Promise<void> {
  await scrollToEnd(fac());
  await expectInViewport(fac(), 'lockin-count', `the lock-in count at 1366×768 (${step})`);
  await fac().evaluate(() => window.scrollTo(0, 0));
}

async function projectorFloor(step: string): Promise<void> {
  const small = await textUnder(projector, 24);
  expect(small, `text under 24 px on the projector (${step}):\n${small.map((s) => `${s.px}px ${s.where}: ${s.text}`).join('\n')}`).toEqual([]);
}

async function statementOf(page: Page, text: string) {
  const panel = await openChannel(page, 'public');
  return panel.getByTestId('message').filter({ hasText: text });
}

test.beforeAll(async ({ browser, request }) => {
  const timerSeconds = Object.fromEntries(scenario.beats.filter((b) => b.id !== FIRST.id).map((b) => [b.id, SHORT]));
  timerSeconds[FIRST.id] = 900;
  const res = await request.post('/api/sessions', { data: { scenarioId: 'april-2024', review: true, timerSeconds, title: 'Live room' } });
  expect(res.status()).toBe(201);
  created = (await res.json()) as CreateSessionResponse;
  sessionId = created.sessionId;

  white = await openScreen(browser, LAPTOP_SMALL);
  // This is what creating the session on Home leaves in the browser (see client/src/net/storage.ts).
  await fac().goto('/');
  await fac().evaluate((c) => {
    localStorage.setItem(`rubicon:cred:${c.sessionId}:facilitator`, JSON.stringify({ token: c.facilitatorToken, role: { kind: 'facilitator' } }));
    localStorage.setItem('rubicon:hosted', JSON.stringify([{ sessionId: c.sessionId, title: 'Live room', createdAt: 0, codes: c.codes }]));
  }, created);
  await fac().goto(`/s/${encodeURIComponent(sessionId)}/facilitate`);
  // The projector is opened from the white cell's laptop, so it can show the join codes.
  projector = await white.context.newPage();
  await projector.setViewportSize(PROJECTOR);
  await projector.goto(`/s/${encodeURIComponent(sessionId)}/display`);

  sara = await openScreen(browser, PHONE_SMALL);
  ali = await openScreen(browser, PHONE);
  mediators = await openScreen(browser, PHONE_SMALL);
});

test.afterAll(async () => {
  for (const s of [white, sara, ali, mediators]) await s?.context.close();
});

const codeOf = (seat: string) => created.codes.find((c) => c.role.kind === 'seat' && c.role.seat === seat)!.code;

test('the lobby projector shows every seat’s code and QR code; two people join Iran, one by link and one by code with a name', async () => {
  const testInfo = test.info();
  for (const c of created.codes) {
    if (c.role.kind !== 'seat') continue;
    await expect(projector.getByTestId(`lobby-code-text-${c.role.seat}`)).toHaveText(c.code);
    await expect(projector.getByTestId(`lobby-code-${c.role.seat}`).getByTestId('qr')).toBeVisible();
  }
  await projectorFloor('lobby');
  await expectAccessible(projector, testInfo, 'live-projector-lobby');

  await joinWithLink(sara.page, codeOf('iran'));
  await expectLive(sara.page);
  await sara.page.getByTestId('name-input').fill('Sara');
  await sara.page.getByTestId('save-name').click();
  await expect(sara.page.getByTestId('my-name')).toContainText('Sara');
  await expectLive(sara.page);

  await ali.page.goto('/');
  await ali.page.getByTestId('join-code').fill(codeOf('iran'));
  await ali.page.getByTestId('join-name').fill('Ali');
  await ali.page.getByTestId('join-submit').click();
  await expect(ali.page.getByTestId('my-name')).toContainText('Ali');
  await expectLive(ali.page);

  await joinWithLink(mediators.page, codeOf('mediators'));
  await expectLive(mediators.page);
  await expectAccessible(sara.page, testInfo, 'live-phone-lobby');
  await stripInView('lobby');
  await noSideScrollAnywhere('lobby');
});

test('the white cell starts from the strip; the count and the next step stay on screen through briefing and planning', async () => {
  const testInfo = test.info();
  await fac().getByTestId('next-action').click();
  await expectPhase(fac(), 'briefing');
  await stripInView('briefing');
  await fac().getByTestId('next-action').click();
  for (const p of [fac(), ...phones(), projector]) await expectPhase(p, 'planning');
  await expect(fac().getByTestId('lockin-count')).toContainText(/0 of \d+ locked in/);
  await expect(fac().getByTestId('strip-seat-israel')).toHaveAttribute('data-connected', 'false');
  await expect(fac().getByTestId('strip-seat-iran')).toHaveAttribute('data-state', 'waiting');
  await stripInView('planning');
  await expectAccessible(fac(), testInfo, 'live-facilitator-planning');
  await projectorFloor('planning');

  // On the phone, the clock stays pinned while the student reaches the Lock in button.
  await sara.page.getByTestId('lock-in').scrollIntoViewIfNeeded();
  await expectInViewport(sara.page, 'countdown', 'the countdown on a 360 px phone at the Lock in button');
  await expectInViewport(sara.page, 'phase', 'the phase on a 360 px phone at the Lock in button');
  await expectAccessible(sara.page, testInfo, 'live-phone-planning');
  await saveScreen(sara.page, testInfo, 'live-phone-planning');
  await noSideScrollAnywhere('planning');
});

test('two players in one seat are told apart on every screen', async () => {
  await (await openChannel(sara.page, 'public')).getByTestId('message-input').fill('Sara here: we mourn and we warn.');
  await sara.page.getByTestId('send-message').click();
  await (await openChannel(ali.page, 'public')).getByTestId('message-input').fill('Ali here: nothing is decided yet.');
  await ali.page.getByTestId('send-message').click();

  const saraOnAli = await statementOf(ali.page, 'Sara here');
  await expect(saraOnAli).toContainText('Iran · Sara');
  await expect(saraOnAli).not.toContainText('(you)');
  await expect(await statementOf(ali.page, 'Ali here')).toContainText('(you)');
  const aliOnSara = await statementOf(sara.page, 'Ali here');
  await expect(aliOnSara).toContainText('Iran · Ali');
  await expect(aliOnSara).not.toContainText('(you)');
  await expect(projector.getByTestId('statement').filter({ hasText: 'Sara here' })).toContainText('Iran · Sara');
  await expect(projector.getByTestId('statement').filter({ hasText: 'Ali here' })).toContainText('Iran · Ali');
});

test('the white cell hides a statement from the display, then from everyone', async () => {
  const testInfo = test.info();
  const onFac = await statementOf(fac(), 'Sara here');
  await onFac.getByTestId('hide-display').click();
  await expect(fac().getByTestId('moderation-result')).toContainText('Hidden from the shared display');
  await expect(projector.getByTestId('statement').filter({ hasText: 'Sara here' })).toHaveCount(0);
  await expect(projector.getByTestId('statement').filter({ hasText: 'Ali here' })).toHaveCount(1);
  // Hidden from the display only: the teams still read it.
  await expect(await statementOf(ali.page, 'Sara here')).toBeVisible();

  await (await statementOf(fac(), 'Sara here')).getByTestId('hide-everyone').click();
  await expect((await openChannel(ali.page, 'public')).locator('[data-hidden="everyone"]')).toContainText('Hidden by the white cell');
  await expect(ali.page.getByText('Sara here: we mourn')).toHaveCount(0);
  await expect(await statementOf(fac(), 'Sara here')).toContainText('Hidden from everyone but the white cell');
  await expectAccessible(fac(), testInfo, 'live-facilitator-moderation');
});

test('a long paste is counted and refused with a warning, not cut; the relay names its addressee before Send', async () => {
  const panel = await openChannel(ali.page, 'public');
  await panel.getByTestId('message-input').fill('x'.repeat(2100));
  await expect(panel.getByTestId('char-count')).toContainText('100 characters too long');
  await expect(panel.getByTestId('send-message')).toBeDisabled();
  await panel.getByTestId('message-input').fill('');

  const relay = await openChannel(mediators.page, 'iran-us-mediated').catch(() => null);
  test.skip(relay === null, 'no mediated channel with the mediators as relay in this scenario');
  const to = relay!.getByTestId('message-to');
  await expect(to).toHaveValue('');
  await relay!.getByTestId('message-input').fill('Both sides: please hold fire for a day.');
  await expect(relay!.getByTestId('send-message')).toBeDisabled();
  const toBox = (await to.boundingBox())!;
  const sendBox = (await relay!.getByTestId('send-message').boundingBox())!;
  expect(toBox.y, 'the addressee comes before Send').toBeLessThan(sendBox.y);
  await to.selectOption({ index: 2 });
  await expect(relay!.getByTestId('send-message')).toBeEnabled();
  await expectNoSideScroll(mediators.page, 'the mediators at 360 with the relay open');
});

test('an inject reaches the team phones as a notice and in their history', async () => {
  const inject = scenario.injects[0]!;
  await fac().getByTestId('inject-select').selectOption(inject.id);
  await fac().getByTestId('fire-inject').click();
  for (const p of [sara.page, ali.page]) {
    await expect(p.getByTestId('team-notice').and(p.locator('[data-kind="inject"]'))).toContainText(inject.title);
    await expect(p.getByTestId('notice-history')).toContainText(inject.title);
  }
  await sara.page.getByTestId('notice-dismiss').click();
  await expect(sara.page.getByTestId('team-notice')).toHaveCount(0);
});

test('closing planning with seats undecided asks first and names them; the projector shows them as defaulted', async () => {
  const testInfo = test.info();
  await sara.page.getByTestId(`move-option-${FIRST.moves.iran!}`).check();
  await sara.page.getByTestId('lock-in').click();
  await expect(fac().getByTestId('strip-seat-iran')).toHaveAttribute('data-state', 'locked');
  await expect(fac().getByTestId('lockin-count')).toContainText('1 of');

  await fac().getByTestId('next-action').click();
  const confirm = fac().getByTestId('strip-confirm');
  await expect(confirm).toContainText('Israel');
  await expect(confirm).toContainText('United States');
  await expect(confirm).not.toContainText('Iran');
  await expectPhase(fac(), 'planning');
  await stripInView('confirming');
  await fac().getByTestId('next-action').click();
  await expectPhase(fac(), 'adjudication');
  await stripInView('adjudication');
  await expect(fac().getByTestId('strip-seat-israel')).toHaveAttribute('data-state', 'defaulted');

  await fac().getByTestId('next-action').click();
  for (const p of [fac(), projector, sara.page]) await expectPhase(p, 'resolution');
  await stripInView('resolution');
  await expect(projector.getByTestId('display-result')).toBeVisible();
  await expect(projector.getByTestId('lockin-israel')).toHaveAttribute('data-state', 'defaulted');
  await expect(projector.getByTestId('lockin-iran')).toHaveAttribute('data-state', 'locked');
  await projectorFloor('resolution');
  await expectAccessible(projector, testInfo, 'live-projector-resolution');
  await saveScreen(projector, testInfo, 'live-projector-resolution');
  await saveDocsScreen(projector, testInfo, 'projector');
  await noSideScrollAnywhere('resolution');
});

test('an expired deadline tells the team which move was taken for it', async () => {
  await fac().getByTestId('next-action').click();
  await expectPhase(sara.page, 'planning');
  const beatTitle = (await sara.page.getByTestId('beat-title').textContent())!.trim();
  const iranActs = (await sara.page.getByTestId('move-builder').count()) > 0;
  // The clock runs out on its own (8 s), then the white cell accepts the proposal.
  await expectPhase(fac(), 'adjudication');
  await fac().getByTestId('next-action').click();
  await expectPhase(sara.page, 'resolution');
  test.skip(!iranActs, `Iran does not act in ${beatTitle}`);
  const notice = sara.page.getByTestId('team-notice').and(sara.page.locator('[data-kind="default"]'));
  await expect(notice).toContainText('was taken for you');
  await expect(sara.page.getByTestId('notice-history')).toContainText('No decision in time');
});

test('a rewind says what it undoes before it happens, and tells the teams after', async () => {
  const testInfo = test.info();
  await fac().getByTestId('rewind-select').selectOption(FIRST.id);
  await fac().getByTestId('rewind').click();
  await expect(fac().getByTestId('rewind-summary')).toContainText('This undoes the results of beat 1');
  await fac().getByTestId('rewind').click();
  for (const p of [sara.page, ali.page]) {
    await expect(p.getByTestId('team-notice').and(p.locator('[data-kind="rewind"]'))).toContainText(FIRST.title);
    await expectPhase(p, 'planning');
  }
  await expectAccessible(sara.page, testInfo, 'live-phone-notices');
  await saveScreen(sara.page, testInfo, 'live-phone-rewind');
  // The README's phone: Ali's 390×844 console from the top, the rewind notice under the pinned clock.
  await ali.page.evaluate(() => window.scrollTo(0, 0));
  await saveDocsScreen(ali.page, testInfo, 'phone-console');
  await stripInView('after the rewind');
  await noSideScrollAnywhere('after the rewind');
});

test('Home at 1366×768 shows Create session without scrolling; Home and Join do not scroll sideways on phones', async ({ browser }) => {
  const laptop = await openScreen(browser, LAPTOP_SMALL);
  await laptop.page.goto('/');
  await expect(laptop.page.getByTestId('create-session')).toBeVisible();
  await expectInViewport(laptop.page, 'create-session', 'Create session at 1366×768');
  await laptop.context.close();
  for (const size of [PHONE_SMALL, PHONE]) {
    const phone = await openScreen(browser, size);
    await phone.page.goto('/');
    await expect(phone.page.getByTestId('join-code')).toBeVisible();
    await expectNoSideScroll(phone.page, `Home at ${size.width}`);
    await phone.page.goto('/join/ZZZZZZ');
    await expect(phone.page.getByTestId('join-error')).toBeVisible();
    await expectNoSideScroll(phone.page, `a failed join at ${size.width}`);
    await phone.context.close();
  }
});

test('the co-facilitator code opens the white cell’s console in a fresh browser; a re-issued code replaces it', async ({ browser }) => {
  const testInfo = test.info();
  const setup = await white.context.newPage();
  await setup.setViewportSize(LAPTOP_SMALL);
  await setup.goto(`/s/${encodeURIComponent(sessionId)}/setup`);
  const first = (await setup.getByTestId('code-facilitator').textContent())!.trim();
  expect(first).toBe(created.facilitatorCode);

  // A second device that never saw the session: nothing in its storage.
  const second = await openScreen(browser, PHONE);
  await joinWithLink(second.page, first);
  await expect(second.page).toHaveURL(new RegExp(`/s/${encodeURIComponent(sessionId)}/facilitate$`));
  await expectLive(second.page);
  await expect(second.page.getByTestId('lockin-count')).toBeVisible();
  await expect(second.page.getByTestId('next-action')).toBeVisible();
  await expectNoSideScroll(second.page, 'the co-facilitator’s console at 390');
  await expectAccessible(second.page, testInfo, 'live-cofacilitator-console');

  await setup.getByTestId('reissue-facilitator').click();
  await expect(setup.getByTestId('code-facilitator')).not.toHaveText(first);
  const third = await openScreen(browser, PHONE);
  await joinWithLink(third.page, first);
  await expect(third.page.getByTestId('join-error')).toBeVisible();
  await expect(third.page).not.toHaveURL(/facilitate/);
  for (const s of [second, third]) await s.context.close();
  await setup.close();
});

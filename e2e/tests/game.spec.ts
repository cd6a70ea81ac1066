import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, saveDocsScreen, saveScreen } from './support/artifacts.ts';
import { beat, defaultMoveOf, HISTORICAL_OUTCOME, HISTORICAL_PATH, moveTitle, type HistoricalBeat } from './support/historical.ts';
import {
  channelIds,
  chooseMove,
  createSessionOnHome,
  expectLive,
  expectNotReloaded,
  expectPhase,
  joinWithField,
  joinWithLink,
  lockIn,
  markNoReload,
  openChannel,
  openScreen,
  readCodes,
  SEATS,
  sendMessage,
  type Screen,
  type Seat,
  updateFrames,
} from './support/ui.ts';

/**
 * A whole game of the April 2024 scenario through the UI only: a facilitator
 * creates the session on Home, four teams join by code or link, a fifth
 * browser is the projector, and they play the historical path to its outcome.
 * Each test continues where the previous one stopped.
 */
test.describe.configure({ mode: 'serial' });
// Six browsers on two cores: a trace's screencast of each would slow every step several times over.
// DOM snapshots are kept, so a failure's trace still shows each page.
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true } });

const WALL = { width: 1440, height: 900 };
const LAPTOP = { width: 1280, height: 800 };
const NAMES: Record<Seat, string> = { iran: 'Iran', israel: 'Israel', us: 'United States', mediators: 'Mediators' };

let facilitator: Screen;
let display: Screen;
const players = {} as Record<Seat, Screen>;
let sessionId = '';
let codes: Record<string, string> = {};
/** Text that must reach Israel, the US and the white cell, and no one else. */
const secret = `Israel to US only: we will keep any answer small, ref ${Date.now().toString(36)}`;
const reply = `US to Israel: understood, and we will help defend you, ref ${Date.now().toString(36)}`;

const fac = () => facilitator.page;
const disp = () => display.page;
const seat = (s: Seat) => players[s].page;
const everyPlayer = () => SEATS.map((s) => seat(s));
const everyScreen = () => [...everyPlayer(), fac(), disp()];

test.beforeAll(async ({ browser }) => {
  facilitator = await openScreen(browser, WALL);
  display = await openScreen(browser, WALL);
  // Israel's console is the README's team-console screenshot, at the display's size; the others are laptops.
  for (const s of SEATS) players[s] = await openScreen(browser, s === 'israel' ? WALL : LAPTOP);
});

test.afterAll(async () => {
  for (const s of [facilitator, display, ...Object.values(players)]) await s?.context.close();
});

/** Every screen shows the beat: players and the white cell its title, the projector its header. */
async function expectBeatEverywhere(b: HistoricalBeat): Promise<void> {
  for (const p of [...everyPlayer(), fac()]) await expect(p.getByTestId('beat-title')).toHaveText(b.title);
  await expect(disp().getByTestId('display-beat')).toContainText(b.title);
  for (const p of everyScreen()) await expectPhase(p, 'planning');
}

/** Each acting seat picks its historical move and what else it did, writes a rationale and locks in. */
async function playMoves(b: HistoricalBeat, except: Seat[] = []): Promise<void> {
  for (const s of SEATS) {
    const move = b.moves[s];
    if (!move || except.includes(s)) continue;
    await chooseMove(seat(s), move, `${NAMES[s]}: ${move} in ${b.title}, as in April 2024.`);
    for (const also of b.also[s] ?? []) await seat(s).getByTestId(`also-option-${also}`).check();
    await lockIn(seat(s));
  }
}

/** Planning has closed: the white cell accepts the proposal and every screen shows the result. */
async function acceptAdjudication(b: HistoricalBeat): Promise<void> {
  await expectPhase(fac(), 'adjudication');
  await expect(fac().getByTestId('adjudication-review')).toContainText(b.title);
  await fac().getByTestId('accept-adjudication').click();
  for (const p of everyScreen()) await expectPhase(p, 'resolution');
  for (const p of everyPlayer()) await expect(p.getByTestId('resolution').and(p.locator(`[data-beat="${b.id}"]`))).toBeVisible();
}

async function advance(): Promise<void> {
  await expect(fac().getByTestId('next-action')).toBeEnabled();
  await fac().getByTestId('next-action').click();
}

async function playBeat(b: HistoricalBeat): Promise<void> {
  await expectBeatEverywhere(b);
  await playMoves(b);
  await acceptAdjudication(b);
}

async function expectMessageIn(page: Page, text: string, channel: string, from: string): Promise<void> {
  const panel = await openChannel(page, channel);
  await expect(panel.getByTestId('message').filter({ hasText: text })).toHaveAttribute('data-from', from);
}

test('the facilitator creates a session on Home and reads the join codes on the setup page', async () => {
  sessionId = await createSessionOnHome(fac(), { scenario: 'april-2024', timerScale: '0.25', review: true, title: 'E2E: April 2024' });
  codes = await readCodes(fac(), SEATS);
  expect(new Set(Object.values(codes)).size).toBe(SEATS.length + 1);
  for (const s of SEATS) {
    await expect(fac().getByTestId(`join-link-${s}`)).toHaveAttribute('href', new RegExp(`/join/${codes[s]}$`));
    await expect(fac().getByTestId(`presence-${s}`)).toHaveAttribute('data-joined', 'false');
  }
  await expect(fac().getByTestId('qr')).toHaveCount(SEATS.length + 1);
  await expect(fac().getByTestId('joined-count')).toHaveText(`0 of ${SEATS.length} seats joined`);
});

test('four teams join by code or by link, and the shared display joins with the observer code', async () => {
  const info = test.info();
  // Iran and Israel type their code on Home; the US and the mediators follow a join link.
  await joinWithField(seat('iran'), codes.iran!);
  await joinWithField(seat('israel'), codes.israel!);
  await joinWithLink(seat('us'), codes.us!);
  await joinWithLink(seat('mediators'), codes.mediators!.toLowerCase());
  await joinWithLink(disp(), codes.observer!);

  for (const s of SEATS) {
    await seat(s).waitForURL(`**/s/${sessionId}/play?seat=${s}`);
    await expect(seat(s).getByTestId('console-seat')).toHaveText(`${NAMES[s]} console`);
    await expectLive(seat(s));
    await expectPhase(seat(s), 'lobby');
  }
  await disp().waitForURL(`**/s/${sessionId}/display`);
  await expect(disp().getByTestId('display')).toBeVisible();
  await expectLive(disp());

  // The setup page sees each seat arrive, live.
  for (const s of SEATS) await expect(fac().getByTestId(`presence-${s}`)).toHaveAttribute('data-joined', 'true');
  await expect(fac().getByTestId('joined-count')).toHaveText(`${SEATS.length} of ${SEATS.length} seats joined`);
  await saveScreen(fac(), info, 'setup');
  await expectAccessible(fac(), info, 'setup');
  await saveScreen(seat('iran'), info, 'team-console-lobby');
  await saveScreen(disp(), info, 'shared-display-lobby');

  await fac().getByTestId('open-facilitator').click();
  await fac().waitForURL(`**/s/${sessionId}/facilitate`);
  await expectLive(fac());
  for (const s of SEATS) await expect(fac().getByTestId(`seat-row-${s}`).getByTestId(`presence-${s}`)).toHaveAttribute('data-joined', 'true');

  for (const p of everyScreen()) await markNoReload(p);
});

test('the white cell starts the session: the opening briefing, then beat 1, on every screen', async () => {
  await fac().getByTestId('next-action').click();
  for (const p of everyScreen()) await expectPhase(p, 'briefing');
  for (const p of everyPlayer()) await expect(p.getByTestId('opening-briefing')).toBeVisible();
  await expect(disp().getByTestId('display-beat')).toHaveText('Briefing');

  await advance();
  await expectBeatEverywhere(HISTORICAL_PATH[0]!);
  // Beat 1 also carries the message tests: a minute more on the clock, so that no seat is defaulted on a slow machine.
  await fac().getByTestId('extend').click();
  await expect(fac().getByTestId('control-result')).toContainText('One more minute');
  for (const s of SEATS) {
    await expect(seat(s).getByTestId('briefing')).toBeVisible();
    await expect(disp().getByTestId(`lockin-${s}`)).toHaveAttribute('data-state', 'waiting');
  }
});

test('a private Israel–US message reaches Israel, the US and the white cell, and no other page', async () => {
  // Where each outsider's recording stands before the private exchange: afterwards it must hold nothing of it, not even a frame.
  const marks = new Map([players.iran, players.mediators, display].map((s) => [s, s.received.length]));
  await sendMessage(seat('israel'), 'israel-us', secret);

  // The US sees an exact unread count, then the message.
  await expect(seat('us').getByTestId('unread-israel-us')).toHaveText('1');
  await expectMessageIn(seat('us'), secret, 'israel-us', 'israel');
  await expect(seat('us').getByTestId('unread-israel-us')).toHaveCount(0);
  await expectMessageIn(fac(), secret, 'israel-us', 'israel');
  // And back: the US answers on the same private channel.
  await sendMessage(seat('us'), 'israel-us', reply);
  await expect(seat('israel').getByTestId('message').filter({ hasText: reply })).toHaveAttribute('data-from', 'us');
  await expect(fac().getByTestId('message').filter({ hasText: reply })).toHaveAttribute('data-from', 'us');

  // A later public message: once it has reached a page, the private one would have too.
  const later = `Mediators: we call on all parties to show restraint, ref ${Date.now().toString(36)}`;
  await sendMessage(seat('mediators'), 'public', later);
  for (const s of ['iran', 'us'] as const) {
    const panel = await openChannel(seat(s), 'public');
    await expect(panel.getByTestId('message').filter({ hasText: later })).toHaveAttribute('data-from', 'mediators');
  }
  await expect(disp().getByTestId('statement').filter({ hasText: later })).toBeVisible();

  const outsiders: [string, Screen][] = [
    ['iran', players.iran],
    ['mediators', players.mediators],
    ['display', display],
  ];
  for (const [name, screen] of outsiders) {
    const page = screen.page;
    await expect(page.getByTestId('channel-tab-israel-us'), name).toHaveCount(0);
    // Every channel the page has, opened in turn: none shows the message.
    for (const text of [secret, reply]) {
      for (const id of await channelIds(page)) {
        const panel = await openChannel(page, id);
        await expect(panel, `${name} / ${id}`).not.toContainText(text);
      }
      await expect(page.locator('body'), name).not.toContainText(text);
      expect(await page.content(), `${name}: page HTML`).not.toContain(text);
      // Nor did it ever reach the browser.
      expect(screen.received.join('\n'), `${name}: received over the socket`).not.toContain(text);
    }
    expect(screen.received.join('\n'), `${name}: the recorder saw the later message`).toContain(later);
    // Two private messages and one public: an outsider got exactly one update, the public one, numbered
    // right after its previous one. The private traffic left no trace: no frame, no gap in the numbers.
    const frames = updateFrames(screen, marks.get(screen));
    expect(frames.map((f) => f.messages.map((m) => m.text)), `${name}: update frames during the exchange`).toEqual([[later]]);
    const before = updateFrames(screen, 0, marks.get(screen)).at(-1)?.version ?? 0;
    expect(frames[0]?.version, `${name}: numbered in its own stream`).toBe(before + 1);
  }
  for (const s of ['iran', 'mediators'] as const) await openChannel(seat(s), 'public');
  // The recorder works: the members did receive both.
  for (const s of ['israel', 'us'] as const) for (const text of [secret, reply]) expect(players[s].received.join('\n')).toContain(text);
});

test('the shared display shows a public statement live, without reloading', async () => {
  const statement = `Iran: the aggressor will be punished, ref ${Date.now().toString(36)}`;
  await sendMessage(seat('iran'), 'public', statement);
  const newest = disp().getByTestId('statement').first();
  await expect(newest).toContainText(statement);
  await expect(newest).toContainText('Iran');
  await expectNotReloaded(disp());
});

test('beat 1: every seat chooses its historical move, writes a rationale and locks in', async () => {
  const info = test.info();
  const b = beat('consulate-strike');
  // The team console as a player sees it: briefing, move cards, a private channel.
  const israel = seat('israel');
  await openChannel(israel, 'israel-us');
  await chooseMove(israel, b.moves.israel!, 'Silence leaves Tehran room to settle for a modest reply.');
  await expect(israel.getByTestId('move-status')).toHaveAttribute('data-locked', 'false');
  await expect(israel.getByTestId('briefing')).toBeVisible();
  await saveScreen(israel, info, 'team-console');
  await israel.evaluate(() => window.scrollTo(0, 0));
  await saveDocsScreen(israel, info, 'team-console');
  await expectAccessible(israel, info, 'team-console');

  // The white cell sees what a seat that does not decide would get.
  await expect(fac().getByTestId('default-iran')).toContainText(moveTitle(b.id, 'iran', defaultMoveOf(b.id, 'iran')));
  // Iran takes its UN appeal and its blaming Washington beside its vow, as on 1 April 2024.
  expect(b.also.iran).toEqual(['condemn-at-un', 'blame-washington']);
  await playMoves(b);
  await expect(fac().getByTestId('default-iran')).toHaveCount(0);
  await acceptAdjudication(b);
  const iranChoice = seat('israel').getByTestId('resolution').and(seat('israel').locator(`[data-beat="${b.id}"]`));
  await expect(iranChoice).toContainText(moveTitle(b.id, 'iran', 'blame-washington'));
  await saveScreen(seat('iran'), info, 'team-console-resolution');
  await advance();
});

test('beat 2: a player reloads mid-beat, keeps what they typed, and locks in', async () => {
  const b = beat('iran-decision');
  await expectBeatEverywhere(b);
  const iran = seat('iran');
  const rationale = 'Strike from our own soil, but telegraph it so that it stays a single round.';
  const draftMessage = 'Draft for the public channel, not sent yet';
  await chooseMove(iran, b.moves.iran!, rationale);
  await (await openChannel(iran, 'public')).getByTestId('message-input').fill(draftMessage);
  // The drafts are kept on the device (the composer saves after a short pause).
  await expect
    .poll(() => iran.evaluate(() => Object.values(localStorage).join('\n')))
    .toContain('Draft for the public channel');
  await expect.poll(() => iran.evaluate(() => Object.values(localStorage).join('\n'))).toContain('telegraph it');

  await iran.reload();
  await expectLive(iran);
  await expect(iran.getByTestId('beat-title')).toHaveText(b.title);
  await expect(iran.getByTestId(`move-option-${b.moves.iran}`)).toBeChecked();
  await expect(iran.getByTestId('rationale')).toHaveValue(rationale);
  await expect(iran.getByTestId('move-status')).toHaveAttribute('data-locked', 'false');
  await expect((await openChannel(iran, 'public')).getByTestId('message-input')).toHaveValue(draftMessage);
  await expect(disp().getByTestId('lockin-iran')).toHaveAttribute('data-state', 'waiting');

  await lockIn(iran);
  await expect(iran.getByTestId('move-status')).toHaveAttribute('data-locked', 'true');
  // The projector shows the lock-in (who, never what) while the others still decide.
  await expect(disp().getByTestId('lockin-iran')).toHaveAttribute('data-state', 'locked');
  await expect(disp().getByTestId('lockin-us')).toHaveAttribute('data-state', 'waiting');
  await expect(disp().getByTestId('lockins')).not.toContainText('telegraph');
  await expect(fac().getByTestId('status-iran')).toHaveAttribute('data-state', 'locked');
  await markNoReload(iran);

  await playMoves(b, ['iran']);
  await acceptAdjudication(b);
  await advance();
});

test('beats 3 and 4: the strike and the defence, adjudicated by the white cell and mapped on the display', async () => {
  const info = test.info();
  await playBeat(beat('signalling-window'));
  await advance();

  const b = beat('strike-and-defence');
  await expectBeatEverywhere(b);
  // The mediators sit this beat out.
  await expect(seat('mediators').getByTestId('move-builder')).toHaveCount(0);
  await expect(disp().getByTestId('lockin-mediators')).toHaveCount(0);
  await playMoves(b);

  await expectPhase(fac(), 'adjudication');
  await expect(fac().getByTestId('accept-adjudication')).toBeVisible();
  await expect(disp().getByTestId('display-adjudicating')).toBeVisible();
  await saveScreen(fac(), info, 'facilitator-console-review');
  await expectAccessible(fac(), info, 'facilitator-console');
  await acceptAdjudication(b);

  // The map marks the Damascus strike, the launches and the interceptions.
  const map = disp().getByTestId('map');
  await expect(map.locator('.map__country').first()).toBeAttached();
  await expect(map.locator('[data-testid^="map-mark-"][data-kind="launch"]').first()).toBeAttached();
  await expect(map.locator('[data-testid^="map-mark-"][data-kind="interception"]').first()).toBeAttached();
  await expect(map.locator('[data-testid^="map-mark-"][data-place="damascus"]')).toHaveCount(1);
  await expect(disp().getByTestId('map-events')).toContainText('Operation True Promise');
  await expect(disp().getByTestId('timeline-resolution')).toHaveCount(4);
  await expect(disp().getByTestId('ladder-current')).toBeVisible();
  await saveScreen(disp(), info, 'shared-display');
  await saveDocsScreen(disp(), info, 'shared-display');
  await expectAccessible(disp(), info, 'shared-display');
  await saveScreen(fac(), info, 'facilitator-console');
  await advance();
});

test('beats 5 and 6 end in the historical outcome, a contained exchange, on every page', async () => {
  const info = test.info();
  await playBeat(beat('international-reaction'));
  await advance();
  await playBeat(beat('israel-decision'));
  await advance();

  for (const p of everyScreen()) {
    await expectPhase(p, 'outcome');
    await expect(p.getByTestId('outcome-title')).toHaveText(HISTORICAL_OUTCOME);
  }
  await expect(disp().getByTestId('timeline-outcome')).toContainText(HISTORICAL_OUTCOME);
  // Every resolved beat chose what history chose: nothing was defaulted.
  await expect(seat('us').getByTestId('history')).not.toContainText('no decision in time');
  // The comparison lists every historical move (main and also) and the historical draw.
  const compare = seat('us').getByTestId('outcome');
  await expect(compare).toContainText(`${moveTitle('consulate-strike', 'iran', 'vow-punishment')}; also: ${moveTitle('consulate-strike', 'iran', 'condemn-at-un')}`);
  await expect(compare).toContainText(moveTitle('israel-decision', 'us', 'sanction-with-london'));
  await expect(seat('us').getByTestId('outcome-historical-draws')).toContainText('historically');

  await saveScreen(disp(), info, 'shared-display-outcome');
  await saveScreen(seat('israel'), info, 'team-console-outcome');
  await saveScreen(fac(), info, 'facilitator-console-outcome');
  await expectAccessible(seat('israel'), info, 'team-console-outcome');
  await expectAccessible(disp(), info, 'shared-display-outcome');

  // Everything arrived live: no screen was reloaded (Iran's, reloaded on purpose in beat 2, not since).
  for (const p of everyScreen()) await expectNotReloaded(p);
});

import { expect, test } from '@playwright/test';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { debriefQuestions, estimateSession, memoPromptFor, presetById, presetClock } from '@rubicon/shared';
import { expectAccessible } from './support/artifacts.ts';
import { chooseMove, expectLive, expectPhase, joinWithLink, lockIn, openScreen, readCodes, SEATS, type Screen } from './support/ui.ts';

/**
 * The teaching layer in the product: a teacher picks the 50-minute preset
 * and sees its length, a team reads its role profile and memo prompt, the
 * white cell its notes, everyone the debrief, and the guide prints. Expected
 * text is read from the scenario file, so the test follows the data.
 */
test.describe.configure({ mode: 'serial' });
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true } });

const scenario = shippedScenario('april-2024');
const first = scenario.beats.find((b) => b.id === scenario.startBeat)!;
const preset = presetById(scenario, 'class-50')!;
const estimate = estimateSession(scenario, { preset: preset.id, ...presetClock(preset) });

let facilitator: Screen;
let iran: Screen;
const fac = () => facilitator.page;

test.beforeAll(async ({ browser }) => {
  facilitator = await openScreen(browser, { width: 1440, height: 900 });
  iran = await openScreen(browser, { width: 1280, height: 800 });
});

test.afterAll(async () => {
  for (const s of [facilitator, iran]) await s?.context.close();
});

test('a teacher picks the 50-minute class and sees its estimate, on Home and on Setup', async () => {
  const info = test.info();
  await fac().goto('/');
  await fac().getByTestId('scenario-april-2024').check();
  await fac().getByTestId('preset-class-50').check();
  const line = fac().getByTestId('session-estimate');
  await expect(line).toHaveAttribute('data-seconds', String(estimate.totalSeconds));
  expect(estimate.totalSeconds).toBeLessThanOrEqual(40 * 60);
  await expect(line).toContainText(`About ${Math.round(estimate.totalSeconds / 60)} min of play`);
  await expect(fac().getByTestId('timer-scale')).toBeDisabled();
  // The custom clock shows a longer session at the standard scale.
  await fac().getByTestId('preset-custom').check();
  expect(Number(await line.getAttribute('data-seconds'))).toBeGreaterThan(estimate.totalSeconds);
  await fac().getByTestId('preset-class-50').check();
  await expectAccessible(fac(), info, 'teaching-home-presets');

  await fac().getByTestId('create-session').click();
  await fac().waitForURL(/\/s\/[^/]+\/setup$/);
  await expect(fac().getByTestId('setup-preset')).toHaveText(preset.title);
  await expect(fac().getByTestId('setup-estimate-line')).toHaveAttribute('data-seconds', String(estimate.totalSeconds));
  await expectAccessible(fac(), info, 'teaching-setup-estimate');
});

test('a team sees its role profile and the memo prompt; the white cell sees the beat’s notes', async () => {
  const info = test.info();
  const codes = await readCodes(fac(), SEATS);
  await joinWithLink(iran.page, codes.iran!);
  await iran.page.waitForURL(/\/play/);
  await expectLive(iran.page);
  const profile = iran.page.getByTestId('role-profile');
  // Open before play: the team reads its brief while it waits.
  await expect(profile).toContainText(scenario.teaching!.profiles.iran!.goals[0]!);

  await fac().getByTestId('open-facilitator').click();
  await expectLive(fac());
  await fac().getByTestId('next-action').click();
  await expectPhase(fac(), 'briefing');
  await fac().getByTestId('next-action').click();
  await expectPhase(iran.page, 'planning');

  await expect(profile.getByRole('heading', { name: /Your role: Iran/ })).toBeVisible();
  const memo = iran.page.getByTestId('memo-prompt');
  await expect(memo).toContainText(memoPromptFor(scenario, first.id, 'iran')!);
  // The counter describes the box too; the memo prompt must be among its descriptions.
  await expect(iran.page.getByTestId('rationale')).toHaveAttribute('aria-describedby', /(^|\s)memo-prompt(\s|$)/);
  // Another team's profile never reaches this seat.
  await expect(iran.page.getByText(scenario.teaching!.profiles.israel!.summary)).toHaveCount(0);
  await expect(iran.page.getByTestId('facilitator-notes')).toHaveCount(0);
  await expectAccessible(iran.page, info, 'teaching-team-console');

  const notes = fac().getByTestId('facilitator-notes');
  await expect(notes).toHaveAttribute('data-beat', first.id);
  await expect(notes.getByTestId('notes-watch-for')).toContainText(scenario.teaching!.beats[first.id]!.watchFor[0]!);
  await expect(notes.getByTestId('notes-discussion')).toContainText(scenario.teaching!.beats[first.id]!.discussion[0]!);
  await expectAccessible(fac(), info, 'teaching-facilitator-notes');
});

test('the debrief screen shows the questions for the outcome and the causes of the path', async () => {
  const info = test.info();
  // Beat 1 closes on the seats' defaults; in beat 2 Iran telegraphs a strike, which opens the signalling
  // window; the white cell ends the game there.
  const closeBeat = async () => {
    // Seats are undecided, so closing planning asks first and names them.
    await fac().getByTestId('next-action').click();
    await expect(fac().getByTestId('strip-confirm')).toBeVisible();
    await fac().getByTestId('next-action').click();
    await expectPhase(fac(), 'adjudication');
    await fac().getByTestId('accept-adjudication').click();
    await expectPhase(fac(), 'resolution');
    await fac().getByTestId('next-action').click();
    await expectPhase(iran.page, 'planning');
  };
  await closeBeat();
  const decision = scenario.beats.find((b) => b.id === 'iran-decision')!;
  const telegraphed = decision.actors.find((a) => a.seat === 'iran')!.moves.find((m) => m.id === 'telegraphed-strike')!;
  await expect(iran.page.getByTestId('beat-title')).toHaveText(decision.title);
  await chooseMove(iran.page, telegraphed.id, 'Strike from our soil, warn everyone first, keep it to military targets.');
  await lockIn(iran.page);
  await closeBeat();
  const outcome = scenario.outcomes.find((o) => o.id === 'de-escalation')!;
  await fac().getByTestId('end-outcome').selectOption(outcome.id);
  await fac().getByTestId('end-reason').fill('Out of class time.');
  await fac().getByTestId('end-game').click();
  await expectPhase(fac(), 'outcome');
  await fac().getByTestId('next-action').click();
  await expectPhase(iran.page, 'debrief');

  const debrief = iran.page.getByTestId('debrief');
  const questions = debrief.getByTestId('debrief-questions');
  for (const q of debriefQuestions(scenario, outcome.id)) await expect(questions).toContainText(q);
  await expect(debrief.getByTestId('outcome-title')).toHaveText(outcome.title);
  const steps = debrief.getByTestId('why-step');
  await expect(steps).toHaveCount(3);
  // Each branch the rules took, with the facts that decided it; the last one ended by the white cell.
  await expect(steps.nth(0)).toHaveAttribute('data-beat', first.id);
  await expect(steps.nth(0)).toContainText(first.title);
  await expect(steps.nth(1)).toHaveAttribute('data-beat', decision.id);
  await expect(steps.nth(1).getByTestId('why-because')).toContainText(`Iran chose “${telegraphed.title}” in “${decision.title}”`);
  await expect(steps.nth(2)).toContainText('Out of class time.');
  await expectAccessible(iran.page, info, 'teaching-debrief');
});

test('the facilitator guide and the handouts print without cut-off content, and handouts carry no beat briefing', async ({ browser }) => {
  const info = test.info();
  const reader = await openScreen(browser, { width: 1280, height: 900 });
  try {
    const page = reader.page;
    await page.goto('/guide/april-2024');
    await expect(page.getByTestId('guide-beat')).toHaveCount(scenario.beats.length);
    await expect(page.getByTestId(`guide-preset-${preset.id}`)).toHaveText(`${Math.round(estimate.totalSeconds / 60)} min`);
    await expectAccessible(page, info, 'teaching-guide');

    for (const url of ['/guide/april-2024', '/guide/april-2024/handouts']) {
      await page.goto(url);
      await expect(page.locator('.doc').first()).toBeVisible();
      // A4 at 96 dpi less the page margins is about 690 px wide.
      await page.setViewportSize({ width: 690, height: 1000 });
      await page.emulateMedia({ media: 'print' });
      await expect(page.getByTestId('print')).toBeHidden();
      const clipped = await page.evaluate(() => {
        const out: string[] = [];
        const width = document.documentElement.clientWidth;
        // Screen-reader-only text is clipped on purpose.
        for (const el of Array.from(document.querySelectorAll<HTMLElement>('main *:not(.visually-hidden)'))) {
          const r = el.getBoundingClientRect();
          if (r.width === 0) continue;
          if (r.right > width + 1 || r.left < -1) out.push(`${el.tagName}.${el.className}: ${Math.round(r.left)}–${Math.round(r.right)} of ${width}`);
          const style = getComputedStyle(el);
          if (style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className} scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        return out.slice(0, 10);
      });
      expect(clipped, `${url} in print`).toEqual([]);
      const pdf = await page.pdf({ format: 'A4', printBackground: false });
      expect(pdf.byteLength).toBeGreaterThan(1000);
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    await expect(page.getByTestId('handout')).toHaveCount(scenario.seats.length);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const b of scenario.beats) for (const briefing of Object.values(b.briefings)) expect(text).not.toContain(briefing.slice(0, 60));
    await expectAccessible(page, info, 'teaching-handouts');
  } finally {
    await reader.context.close();
  }
});

import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import type { SessionFile } from '@rubicon/shared';
import { HISTORICAL_PATH } from './support/historical.ts';
import { playSessionOverSockets, type PlayedSession } from './support/socket-game.ts';
import { expectAccessible } from './support/artifacts.ts';
import { readCodes, sendMessage } from './support/ui.ts';

test.describe.configure({ mode: 'serial' });

type Secrets = PlayedSession['secrets'];

/** The session's export, as text and parsed. */
async function exportSession(baseURL: string, session: PlayedSession['session']): Promise<{ text: string; file: SessionFile }> {
  const exported = await fetch(new URL(`/api/sessions/${session.sessionId}/export`, baseURL), { headers: { authorization: `Bearer ${session.facilitatorToken}` } });
  expect(exported.status).toBe(200);
  const text = await exported.text();
  return { text, file: JSON.parse(text) as SessionFile };
}

/** A tampered file is refused on Home with its own error and where; the real one opens as a replay at its end. Its id. */
async function openReplay(page: Page, text: string, file: SessionFile): Promise<string> {
  const tampered = structuredClone(file);
  tampered.log[4]!.at += 1;
  await page.goto('/');
  await page.getByTestId('open-file').setInputFiles({ name: 'tampered.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(tampered)) });
  await expect(page.getByTestId('open-file-error')).toContainText('Event 5 was changed');
  await expect(page.getByTestId('open-file-error')).toContainText('log[4]');

  await page.getByTestId('open-file').setInputFiles({ name: 'session.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForURL(/\/r\/[^/?]+/);
  const replayId = /\/r\/([^/?]+)/.exec(page.url())![1]!;
  await expect(page.getByTestId('scrubber-position')).toHaveText(`${file.log.length} / ${file.log.length}`);
  return replayId;
}

/** Jump to the third beat: the scrubber shows that moment; the keyboard steps one event forward, one back. */
async function scrub(page: Page): Promise<void> {
  const third = HISTORICAL_PATH[2]!;
  const option = page.getByTestId('jump-beat').locator('option', { hasText: third.title }).first();
  await page.getByTestId('jump-beat').selectOption((await option.getAttribute('value'))!);
  await expect(page.getByTestId('replay-beat')).toHaveAttribute('data-beat', third.id);
  await expect(page.getByTestId('phase')).toHaveAttribute('data-phase', 'planning');
  const at = Number((await page.getByTestId('scrubber-range').inputValue()));
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('scrubber-range')).toHaveValue(String(at + 1));
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('scrubber-range')).toHaveValue(String(at));
  // The white cell's view says in words what the event did.
  await expect(page.getByTestId('replay-caption')).toContainText(`Event ${at}:`);
}

/** At the moment of Israel's draft: the white cell and Israel see it, Iran sees neither it nor Israel's private line. */
async function seeAsSeats(page: Page, replayId: string, file: SessionFile, secrets: Secrets): Promise<void> {
  const draftAt = file.log.find((e) => e.command.type === 'SUBMIT_MOVE' && e.command.rationale === secrets.israelDraft)!.seq;
  await page.goto(`/r/${replayId}?v=${draftAt}&as=israel`);
  await expect(page.getByTestId('replay-my-draft')).toContainText(secrets.israelDraft);
  await expect(page.getByTestId('replay-messages')).toContainText(secrets.israelToUs);
  // A seat's point of view has no caption: it would name moves the seat did not see.
  await expect(page.getByTestId('replay-caption')).toHaveCount(0);
  await page.getByTestId('pov').selectOption('iran');
  await expect(page.getByTestId('replay-messages')).toContainText(secrets.iranTeam);
  await expect(page.locator('main')).not.toContainText(secrets.israelToUs);
  await expect(page.locator('main')).not.toContainText(secrets.israelDraft);
  await page.getByTestId('pov').selectOption('us');
  await expect(page.getByTestId('replay-messages')).toContainText(secrets.israelToUs);
  await expect(page.locator('main')).not.toContainText(secrets.iranTeam);
}

/** Branch from this moment: a new live session with its own codes that a team can join. The branch's id and Iran's page. */
async function branchAndJoin(page: Page, browser: Browser): Promise<{ branchId: string; team: Page }> {
  await page.getByTestId('branch').click();
  await page.waitForURL(/\/s\/[^/]+\/setup$/);
  const branchId = /\/s\/([^/]+)\/setup$/.exec(new URL(page.url()).pathname)![1]!;
  const codes = await readCodes(page, ['iran', 'israel', 'us', 'mediators']);
  const team = await browser.newPage();
  await team.goto(`/join/${codes.iran}`);
  await expect(team.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await expect(team.getByTestId('phase')).toHaveAttribute('data-phase', 'planning');
  return { branchId, team };
}

/** "View as" in the branch's white-cell console: exactly what a seat sees now, marked, read-only, live. */
async function viewAsSeats(page: Page, team: Page, branchId: string, secrets: Secrets, testInfo: TestInfo): Promise<void> {
  await page.goto(`/s/${branchId}/facilitate`);
  await page.getByTestId('view-as').selectOption('israel');
  const panel = page.getByTestId('view-as-panel');
  await expect(page.getByTestId('view-as-banner')).toContainText('Viewing as Israel');
  await expect(panel.getByTestId('replay-my-draft')).toContainText(secrets.israelDraft);
  await expect(panel.getByTestId('replay-messages')).toContainText(secrets.israelToUs);
  await expect(panel.getByTestId('replay-briefing')).toBeVisible();
  // Nothing in it acts: no move cards, no lock-in, no field to write in (its buttons only leave it or filter the timeline).
  await expect(panel.locator('form, textarea, input')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: /lock|send|submit/i })).toHaveCount(0);
  await expectAccessible(page, testInfo, 'facilitator-view-as');
  await page.getByTestId('view-as').selectOption('iran');
  await expect(page.getByTestId('view-as-banner')).toContainText('Viewing as Iran');
  await expect(panel.getByTestId('replay-messages')).toContainText(secrets.iranTeam);
  await expect(page.locator('main')).not.toContainText(secrets.israelToUs);
  await expect(page.locator('main')).not.toContainText(secrets.israelDraft);
  // Live: the Iran team writes in its team channel and the white cell's view as Iran follows without a reload.
  const live = 'Iran team, written after the branch.';
  await sendMessage(team, 'team-iran', live);
  await expect(panel.getByTestId('replay-messages')).toContainText(live);
  await team.close();
  await page.getByTestId('view-as-close').click();
  await expect(page.getByTestId('view-as-panel')).toHaveCount(0);
}

/** The rubric in the console: pick a cell, choose a score, record it; the table shows it. */
async function scoreInConsole(page: Page): Promise<void> {
  const cell = page.getByTestId('rubric-israel-proportionate-escalation');
  await cell.getByRole('button').click();
  const form = page.getByTestId('rubric-form');
  await form.getByLabel('2 Partly').check();
  await form.getByTestId('rubric-note').fill('Struck hard, then stopped.');
  await form.getByTestId('rubric-save').click();
  await expect(form.getByRole('status')).toHaveText('Score recorded.');
  await expect(cell).toContainText('2 Partly');
  await expect(page.getByTestId('rubric-total-israel')).toContainText('2');
}

/** The report: outcome, charts, the historical comparison and the escalation scores; then printed. */
async function readReport(page: Page, replayId: string, played: PlayedSession, testInfo: TestInfo): Promise<void> {
  const { secrets, score } = played;
  await page.goto(`/r/${replayId}/report`);
  await expect(page.getByTestId('report-outcome')).toContainText(/\S/);
  await expect(page.getByTestId('chart-ladder').locator('path')).toHaveCount(1);
  await expect(page.getByTestId('chart-measures-iran')).toBeVisible();
  await expect(page.getByTestId('report-historical')).toContainText('April 2024');
  await expect(page.getByTestId('historical-draw').first()).toBeVisible();
  await expect(page.getByTestId('escalation-total')).toHaveText(/^-?\d+$/);
  // The white cell's after-action score is in the report, with its note.
  await expect(page.getByTestId(`rubric-${score.seat}-${score.criterion}`)).toHaveText('3 Solid');
  await expect(page.getByTestId('rubric-notes')).toContainText(score.note);
  await expect(page.getByTestId('rubric-notes')).toContainText('after the outcome');
  await expectAccessible(page, testInfo, 'report');
  await expect(page.getByTestId('report-messages')).not.toContainText(secrets.israelToUs);
  await page.getByTestId('include-private').check();
  await expect(page.getByTestId('report-messages')).toContainText(secrets.israelToUs);

  // Printed (emulated print media, A4-ish width): nothing is cut off at the right edge.
  await expectPrintFits(page, '.report');
  await expect(page.locator('.app-header')).toBeHidden();
}

test('a played game is exported, opened as a replay, scrubbed, seen as a seat, branched, viewed as a seat live, scored and reported on', async ({ page, browser, baseURL }, testInfo) => {
  // A whole game, a replay, a branch, a live view and a printed report: at a load average of 15 on two cores it took over 120 s.
  test.setTimeout(240_000);
  const played = await playSessionOverSockets(baseURL!, 'E2E replay class');
  const { text, file } = await exportSession(baseURL!, played.session);
  const replayId = await openReplay(page, text, file);
  await scrub(page);
  await seeAsSeats(page, replayId, file, played.secrets);
  const { branchId, team } = await branchAndJoin(page, browser);
  await viewAsSeats(page, team, branchId, played.secrets, testInfo);
  await scoreInConsole(page);
  await readReport(page, replayId, played, testInfo);
});

test('several exported sessions are compared side by side with April 2024, on screen and in print', async ({ page, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const files: { name: string; text: string; title: string }[] = [];
  for (const title of ['Group A', 'Group B']) {
    const { session } = await playSessionOverSockets(baseURL!, title);
    const res = await fetch(new URL(`/api/sessions/${session.sessionId}/export`, baseURL), { headers: { authorization: `Bearer ${session.facilitatorToken}` } });
    files.push({ name: `${title.toLowerCase().replace(' ', '-')}.json`, text: await res.text(), title });
  }
  const broken = { name: 'broken.json', text: '{"format": "rubicon-session", ', title: 'broken' };

  await page.goto('/');
  await page.getByTestId('open-compare').click();
  await page.waitForURL(/\/compare$/);
  await page.getByTestId('compare-files').setInputFiles([...files, broken].map((f) => ({ name: f.name, mimeType: 'application/json', buffer: Buffer.from(f.text) })));
  // The broken file is refused with its own error; the two good ones are compared.
  await expect(page.getByTestId('compare-file-errors')).toContainText('broken.json');
  await expect(page.getByTestId('compare-file-errors')).toContainText('not valid JSON');
  const table = page.getByTestId('comparison-sessions');
  await expect(table.getByTestId('comparison-row')).toHaveCount(2);
  for (const f of files) await expect(table).toContainText(f.title);
  await expect(page.getByTestId('comparison-history')).toContainText('April 2024');
  await expect(page.getByTestId('comparison-outcomes')).toContainText('In April 2024');
  await expect(page.getByTestId('comparison-chart').locator('rect')).toHaveCount(3);
  const firstBeat = HISTORICAL_PATH[0]!;
  await expect(page.getByTestId(`comparison-beat-${firstBeat.id}`)).toContainText('Iran');
  // The rubric score given after the outcome is in the comparison too.
  await expect(table).toContainText('Iran 3/12');
  // The selection is in the address, so a reload shows the same comparison.
  await page.reload();
  await expect(page.getByTestId('comparison-sessions').getByTestId('comparison-row')).toHaveCount(2);
  await expectAccessible(page, testInfo, 'compare');

  await expectPrintFits(page, '.report');
  await expect(page.getByTestId('compare-files')).toBeHidden();
});

/** In emulated print media at an A4-ish width, no element inside `root` reaches past the page's edges. */
async function expectPrintFits(page: Page, root: string): Promise<void> {
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  const overflow = await page.evaluate((selector) => {
    const width = document.documentElement.clientWidth;
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll(`${selector} *`))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 1 || r.left < -1)) bad.push(`${el.tagName}.${el.className} ${Math.round(r.left)}–${Math.round(r.right)}`);
    }
    return { width, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 5) };
  }, root);
  expect(overflow.bad).toEqual([]);
  expect(overflow.scroll).toBeLessThanOrEqual(overflow.width);
}

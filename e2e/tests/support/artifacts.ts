import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

/** The repository root (this file is e2e/tests/support/artifacts.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screensDir = path.join(repoRoot, 'e2e/artifacts/screens');
export const axeDir = path.join(repoRoot, 'e2e/artifacts/axe');
export const docsScreensDir = path.join(repoRoot, 'docs/screenshots');

/**
 * A full-page screenshot of one screen, kept as a test artifact: written to
 * e2e/artifacts/screens/<name>.png and attached to the test's report.
 */
export async function saveScreen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = path.join(screensDir, `${name}.png`);
  // From the top: a sticky header would otherwise be drawn where the page happened to be scrolled.
  await page.evaluate(() => window.scrollTo(0, 0));
  const body = await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(`screen: ${name}`, { body, contentType: 'image/png' });
}

/**
 * A README screenshot (viewport only) under docs/screenshots/. It is written
 * when the file does not exist yet or when UPDATE_DOCS_SCREENSHOTS=1, so an
 * ordinary test run does not leave the committed images modified.
 */
export async function saveDocsScreen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = path.join(docsScreensDir, `${name}.png`);
  const write = process.env.UPDATE_DOCS_SCREENSHOTS === '1' || !existsSync(file);
  const body = await page.screenshot({ animations: 'disabled', caret: 'hide', ...(write ? { path: file } : {}) });
  await testInfo.attach(`docs screenshot: ${name}${write ? '' : ' (not written: file exists; UPDATE_DOCS_SCREENSHOTS=1 rewrites it)'}`, {
    body,
    contentType: 'image/png',
  });
}

const SEVERE = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is and fails on any serious or critical
 * violation, listing each rule with the offending elements. The full result
 * is kept as an artifact either way.
 */
export async function expectAccessible(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  mkdirSync(axeDir, { recursive: true });
  const json = JSON.stringify({ url: results.url, violations: results.violations, incomplete: results.incomplete.length, passes: results.passes.length }, null, 2);
  writeFileSync(path.join(axeDir, `${name}.json`), json);
  await testInfo.attach(`axe: ${name}`, { body: json, contentType: 'application/json' });

  const severe = results.violations.filter((v) => v.impact && SEVERE.has(v.impact));
  const report = severe
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 8)
          .map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`)
          .join('\n'),
    )
    .join('\n');
  expect(
    severe.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
    `axe found serious or critical violations on the ${name} screen:\n${report}`,
  ).toEqual([]);
}

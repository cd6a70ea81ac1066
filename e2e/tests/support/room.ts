import { expect, type Page } from '@playwright/test';

export const PHONE_SMALL = { width: 360, height: 740 };
export const PHONE = { width: 390, height: 844 };
export const LAPTOP_SMALL = { width: 1366, height: 768 };
export const PROJECTOR = { width: 1920, height: 1080 };

/** The page is no wider than its viewport: nothing makes it scroll sideways. */
export async function expectNoSideScroll(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `${what} scrolls sideways: ${scroll} px of content in ${client} px`).toBeLessThanOrEqual(client);
}

/** The element is inside the viewport right now (not scrolled away, not covered off-screen). */
export async function expectInViewport(page: Page, testId: string, what: string): Promise<void> {
  const box = await page.getByTestId(testId).first().boundingBox();
  const vp = page.viewportSize();
  expect(box, `${what}: no box for ${testId}`).not.toBeNull();
  expect(vp).not.toBeNull();
  expect(box!.y, `${what}: ${testId} is above the viewport`).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `${what}: ${testId} is below the viewport`).toBeLessThanOrEqual(vp!.height);
}

/** Scrolls to the bottom of the page, as a user reaching the end of a long console would. */
export async function scrollToEnd(page: Page): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

export interface SmallText {
  text: string;
  px: number;
  where: string;
}

/**
 * Every visible piece of text on the projector whose computed font size is
 * under `floor` px: elements with their own text, inside the viewport, not
 * visually hidden, outside the map (whose labels are drawn in its own scale).
 */
export async function textUnder(page: Page, floor: number): Promise<SmallText[]> {
  return page.evaluate((min) => {
    const out: { text: string; px: number; where: string }[] = [];
    const root = document.querySelector('[data-testid="display"]');
    if (!root) return [{ text: '(no display)', px: 0, where: '' }];
    const all = Array.from(root.querySelectorAll<HTMLElement>("*"));
    for (const el of all) {
      if (el.closest('[data-testid="map"], .visually-hidden, svg')) continue;
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
      if (own.length === 0) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || rect.bottom <= 0 || rect.top >= window.innerHeight) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.opacity === '0') continue;
      const px = parseFloat(style.fontSize);
      if (px < min) {
        out.push({ text: own.map((n) => n.textContent!.trim()).join(' ').slice(0, 60), px, where: `${el.tagName.toLowerCase()}.${el.className}` });
      }
    }
    return out;
  }, floor);
}

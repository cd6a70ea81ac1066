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

/** What sticks out past the right edge of the page: the innermost elements that do, for a failure message. */
export async function widerThanPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth;
    const out = Array.from(document.body.querySelectorAll<HTMLElement>('*')).filter((el) => el.getBoundingClientRect().right > edge + 0.5);
    return out
      .filter((el) => !out.some((o) => o !== el && el.contains(o)))
      .slice(0, 6)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]} right ${Math.round(el.getBoundingClientRect().right)}`);
  });
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
 * visually hidden, the map's labels and event list included.
 */
export async function textUnder(page: Page, floor: number): Promise<SmallText[]> {
  return page.evaluate((min) => {
    const out: { text: string; px: number; where: string }[] = [];
    const root = document.querySelector('[data-testid="display"]');
    if (!root) return [{ text: '(no display)', px: 0, where: '' }];
    const all = Array.from(root.querySelectorAll<HTMLElement>("*"));
    for (const el of all) {
      // The map's words count too (its SVG is drawn at screen scale); hidden measuring copies do not.
      if (el.closest('.visually-hidden, [visibility="hidden"]')) continue;
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

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface MapLayout {
  /** The drawing's size on screen. */
  canvas: Rect;
  /** Every word or number drawn on the map, with its box on screen. */
  labels: { text: string; box: Rect }[];
  /** Every mark's symbol (a cluster of co-located marks is one), with its box on screen. */
  symbols: { lead: string; count: number; box: Rect }[];
  /** The numbers of the marks drawn, and the numbers the event list gives. */
  marks: number[];
  listed: number[];
}

/** Boxes of what the map draws, as the browser laid it out (SVG text boxes cover ascent to descent). */
export async function mapLayout(page: Page): Promise<MapLayout> {
  return page.getByTestId('map').first().evaluate((map) => {
    const rect = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const canvas = map.querySelector('svg.map__svg');
    return {
      canvas: canvas ? rect(canvas) : { x: 0, y: 0, w: 0, h: 0 },
      labels: Array.from(map.querySelectorAll('svg.map__svg text'))
        .filter((t) => getComputedStyle(t).visibility !== 'hidden')
        .map((t) => ({ text: t.textContent ?? '', box: rect(t) })),
      symbols: Array.from(map.querySelectorAll('[data-testid="map-symbol"]')).map((s) => ({
        lead: s.getAttribute('data-lead') ?? '',
        count: Number(s.getAttribute('data-count')),
        box: rect(s),
      })),
      marks: Array.from(map.querySelectorAll('[data-testid^="map-mark-"]')).map((m) => Number(m.getAttribute('data-testid')!.slice('map-mark-'.length))),
      listed: Array.from(map.querySelectorAll('[data-testid="map-events"] li')).map((li) => Number(li.getAttribute('value'))),
    };
  });
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Pairs of map labels that overlap each other, and labels drawn over a mark's symbol. */
export function mapCollisions(layout: MapLayout): string[] {
  const out: string[] = [];
  const { labels, symbols } = layout;
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (overlapArea(labels[i]!.box, labels[j]!.box) > 0) out.push(`label “${labels[i]!.text}” overlaps label “${labels[j]!.text}”`);
  for (const l of labels)
    for (const s of symbols) if (overlapArea(l.box, s.box) > 0) out.push(`label “${l.text}” lies over the symbol of mark ${s.lead}`);
  return out;
}

/**
 * Controls a finger must hit that are smaller than `min` px either way:
 * buttons, fields, tabs, disclosure summaries, links that stand alone (a
 * link inside running text is exempt, as WCAG 2.5.8 allows), and for a
 * checkbox or radio its label, which is what takes the tap.
 */
export async function smallTapTargets(page: Page, min = 44): Promise<string[]> {
  return page.evaluate((least) => {
    const out: string[] = [];
    const sel = 'button, select, textarea, input:not([type="hidden"]), [role="tab"], summary, a[href]';
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el.closest('.visually-hidden, [hidden], [aria-hidden="true"]')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      if (el.tagName === 'A' && style.display === 'inline' && el.closest('p, li, td, dd, figcaption, blockquote')) continue;
      const box = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') ?? el) : el;
      const r = box.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Off-screen until focused (the skip link).
      if (r.right <= 0 || r.bottom + window.scrollY <= 0) continue;
      if (r.height < least - 0.5 || r.width < least - 0.5) {
        const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
        const id = el.getAttribute('data-testid');
        out.push(`${el.tagName.toLowerCase()}${id ? `[${id}]` : ''} “${name}” ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  }, min);
}

/**
 * Waits for the page to lay out and paint at its new size: two animation frames, or 1 s if none comes.
 * A renderer the machine starves (a CI host under steal time) may run no frame at all for minutes, and an
 * unbounded wait then ends the test at its timeout instead of at the check that follows, which forces layout anyway.
 */
export async function afterLayout(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => {
    requestAnimationFrame(() => requestAnimationFrame(() => r()));
    setTimeout(r, 1000);
  }));
}

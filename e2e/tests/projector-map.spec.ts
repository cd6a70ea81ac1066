import { expect, test, type Page } from '@playwright/test';
import type { JoinResponse } from '@rubicon/shared';
import { expectAccessible, saveScreen } from './support/artifacts.ts';
import { afterLayout, mapCollisions, mapLayout, PROJECTOR, textUnder, type MapLayout } from './support/room.ts';
import { post, SocketGame } from './support/socket-game.ts';
import { expectPhase, openScreen, type Screen } from './support/ui.ts';

/**
 * The projector's map through a whole game at 1920×1080, beat by beat: it
 * takes the room it has, its words stay apart from each other and from the
 * marks, co-located marks are drawn as one, and every mark is in the list.
 */
test.describe.configure({ mode: 'serial' });

/** The least the map may take of a 1920×1080 projector while a beat is resolved, and on the outcome screen. */
const MIN_MAP = { width: 600, height: 480 };

let game: SocketGame;
let projector: Screen;

test.beforeAll(async ({ browser, baseURL }) => {
  game = await SocketGame.create(baseURL!, 'Projector map');
  const observer = game.session.codes.find((c) => c.role.kind === 'observer')!.code;
  const join = await post<JoinResponse>(baseURL!, '/api/join', { code: observer });
  projector = await openScreen(browser, PROJECTOR);
  await projector.page.goto('/');
  await projector.page.evaluate(
    ([id, token]) => localStorage.setItem(`rubicon:cred:${id}:observer`, JSON.stringify({ token, role: { kind: 'observer' } })),
    [game.session.sessionId, join.token] as const,
  );
  await projector.page.goto(`/s/${encodeURIComponent(game.session.sessionId)}/display`);
  await expectPhase(projector.page, 'lobby');
  await game.start();
});

test.afterAll(async () => {
  game?.close();
  await projector?.context.close();
});

/**
 * The map once it has caught up with the screen: the land drawn, the drawing
 * the size of the room the layout now gives it (the size reaches the map one
 * resize notice after a phase change re-flows the page), and two readings a
 * frame apart the same (labels are placed once their widths are measured).
 */
async function settledMap(page: Page): Promise<MapLayout> {
  await expect(page.locator('[data-testid="map"] .map__land')).toBeVisible();
  let last = '';
  let layout: MapLayout | null = null;
  await expect
    .poll(
      async () => {
        await afterLayout(page);
        const fits = await page.getByTestId('map').first().evaluate((map) => {
          // The drawing fills the canvas inside its border, as the resize notice measures it.
          const box = map.querySelector('.map__canvas');
          const svg = map.querySelector('svg.map__svg')?.getBoundingClientRect();
          return !!box && !!svg && Math.abs(box.clientWidth - svg.width) < 1 && Math.abs(box.clientHeight - svg.height) < 1;
        });
        layout = await mapLayout(page);
        // Symbols pulse, so only the drawing's size and the labels are compared.
        const reading = JSON.stringify([layout.canvas, layout.labels]);
        const steady = fits && reading === last;
        last = reading;
        return steady;
      },
      { message: 'the map settles at the size of its room', timeout: 15_000 },
    )
    .toBe(true);
  return layout!;
}

function report(step: string, m: MapLayout): string {
  return `${step}: map ${Math.round(m.canvas.w)}×${Math.round(m.canvas.h)} px, ${m.marks.length} marks in ${m.symbols.length} symbols, ${m.labels.length} labels`;
}

function expectReadableMap(step: string, m: MapLayout): void {
  console.log(report(step, m));
  expect(mapCollisions(m), `${step}: collisions on the map`).toEqual([]);
  // Every mark drawn is in the list, and the list names nothing the map does not draw.
  expect([...m.listed].sort((a, b) => a - b), `${step}: the event list`).toEqual([...m.marks].sort((a, b) => a - b));
  // One symbol per cluster, and every mark belongs to one.
  expect(m.symbols.reduce((n, s) => n + s.count, 0), `${step}: marks in symbols`).toBe(m.marks.length);
}

test('each resolved beat: the map fills its room, keeps its words apart and off the marks, and lists every mark', async () => {
  test.setTimeout(240_000);
  const page = projector.page;
  for (let beatNo = 1; beatNo <= 12; beatNo++) {
    if (!(await game.resolveBeat())) break;
    // The beat's number first: until the projector has this beat, "resolution" can still be the last beat's.
    await expect(page.getByTestId('display-beat')).toContainText(new RegExp(`^Beat ${beatNo}\\b`));
    await expectPhase(page, 'resolution');
    const step = `beat ${beatNo} resolved`;
    const m = await settledMap(page);
    expectReadableMap(step, m);
    expect(m.canvas.w, `${step}: map width`).toBeGreaterThanOrEqual(MIN_MAP.width);
    expect(m.canvas.h, `${step}: map height`).toBeGreaterThanOrEqual(MIN_MAP.height);
    expect(await textUnder(page, 24), `${step}: text under 24 px`).toEqual([]);
    await saveScreen(page, test.info(), `projector-map-beat-${beatNo}`);
    await game.advance();
  }
});

test('the outcome screen keeps a full map, not a strip; every event can be shown at once', async () => {
  const page = projector.page;
  await expectPhase(page, 'outcome');
  const m = await settledMap(page);
  expectReadableMap('outcome', m);
  expect(m.canvas.w, 'outcome: map width').toBeGreaterThanOrEqual(MIN_MAP.width);
  expect(m.canvas.h, 'outcome: map height').toBeGreaterThanOrEqual(MIN_MAP.height);
  expect(await textUnder(page, 24), 'outcome: text under 24 px').toEqual([]);
  await saveScreen(page, test.info(), 'projector-map-outcome');
  await expectAccessible(page, test.info(), 'projector-map-outcome');

  // "All N events": every event on screen at once, none cut off.
  await page.getByTestId('map-events-toggle').click();
  const items = page.getByTestId('map-events').locator('li');
  await expect(items).toHaveCount(m.marks.length);
  const cut = await page.getByTestId('map-events').evaluate((list) => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const box = list.getBoundingClientRect();
    return Array.from(list.querySelectorAll('li'))
      .filter((li) => {
        const r = li.getBoundingClientRect();
        return r.top < Math.max(0, box.top) - 1 || r.bottom > Math.min(vh, box.bottom) + 1 || r.left < 0 || r.right > vw + 1;
      })
      .map((li) => li.getAttribute('value'));
  });
  expect(cut, 'events cut off in the full list').toEqual([]);
  await saveScreen(page, test.info(), 'projector-map-all-events');
  await page.getByTestId('map-events-toggle').click();
});

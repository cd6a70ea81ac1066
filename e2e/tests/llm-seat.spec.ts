import { expect, test, type Locator } from '@playwright/test';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { spawnServer, type ChildServer } from '../../server/test/child-server.ts';
import { menuOf, startFakeLlm, type ChatRequest, type FakeLlm } from '../../server/test/fake-llm.ts';
import { createSessionOnHome, expectLive, expectPhase, joinWithLink, openChannel, openScreen, readCodes, type Screen } from './support/ui.ts';

/**
 * A seat played by a language model, in the browser. The spec starts its own
 * OpenAI-compatible endpoint on loopback (the one the server tests use) and a
 * second Rubicon server pointed at it. The white cell hands Iran to the model
 * from Setup and the other seats to bots. In the first beat the model answers
 * off the menu and its repair is not JSON, so Iran plays its default and the
 * white cell, alone, is told why; in the second it answers a legal move,
 * which Iran plays with the model's rationale. The API key is in no page,
 * no frame the browsers receive and no line the server logs.
 */
test.describe.configure({ mode: 'serial' });
test.use({ trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true } });

const KEY = 'sk-e2e-llm-seat-never-show-this-5f3a9c';
const SIZE = { width: 1280, height: 800 };
const scenario = shippedScenario('april-2024');
const [FIRST, SECOND] = scenario.beats;
const iranIn = (beat: (typeof scenario.beats)[number] | undefined) => beat?.actors.find((a) => a.seat === 'iran');
const RATIONALE = 'Tehran weighs the menu: a measured reply keeps the war from widening.';

/** The model's side: off the menu, then not JSON, in the first beat; a legal move other than the default after. */
function answer(request: ChatRequest): { content: string } {
  const prompt = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
  if (prompt.startsWith(`Beat: ${FIRST!.title} `)) {
    const repair = request.body.messages.length > 2;
    return { content: repair ? 'I would rather explain myself in prose.' : JSON.stringify({ move: 'nuke-everything', rationale: 'Off the menu.' }) };
  }
  const actor = iranIn(SECOND);
  const move = menuOf(request).find((m) => m !== actor?.defaultMove) ?? 'none';
  return { content: JSON.stringify({ move, rationale: RATIONALE }) };
}

/** Iran's line of a resolution card (other seats' lines may name Iran in their moves). */
const iranChoice = (card: Locator) => card.locator('.resolution__choice').filter({ has: card.page().locator('dt', { hasText: /^Iran$/ }) });

let llm: FakeLlm;
let server: ChildServer;
let fac: Screen;
let iran: Screen;

test.beforeAll(async ({ browser }) => {
  llm = await startFakeLlm((request) => answer(request));
  server = await spawnServer(
    {
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: '',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'e2e-fake-model',
      LLM_API_KEY: KEY,
      // Bounded: a request the fake never answered would end in a default, not a hang.
      LLM_TIMEOUT_MS: '15000',
      BOT_MIN_DELAY_MS: '200',
      BOT_MAX_DELAY_MS: '1000',
      HELLO_RATE_LIMIT_BURST: '100000',
      HTTP_RATE_LIMIT_BURST: '100000',
      PUBLIC_RATE_LIMIT_BURST: '100000',
      ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
    },
    90_000,
  );
  fac = await openScreen(browser, SIZE, server.url);
  iran = await openScreen(browser, SIZE, server.url);
});
test.afterAll(async () => {
  for (const s of [fac, iran]) await s?.context.close();
  await server?.terminate();
  await llm?.close();
});

type Page = Screen['page'];

/** Setup hands Iran to the model (offered by name) and the other seats to bots; Iran's console says who plays it. */
async function seatTheModel(page: Page): Promise<void> {
  await createSessionOnHome(page, { scenario: 'april-2024', timerScale: '1', review: false, title: 'E2E: a language model seat' });
  const codes = await readCodes(page, ['iran']);
  const iranPick = page.getByTestId('bot-select-iran');
  await expect(iranPick.locator('option[value="llm"]')).toHaveText('A language model (e2e-fake-model)');
  await expect(iranPick.locator('option[value="llm"]')).toBeEnabled();
  await iranPick.selectOption('llm');
  await expect(page.getByTestId('bot-status-iran')).toContainText('Played by a language model');
  for (const seat of ['israel', 'us', 'mediators']) {
    await page.getByTestId(`bot-select-${seat}`).selectOption({ index: 1 });
    await expect(page.getByTestId(`bot-status-${seat}`)).toContainText('Played by a bot');
  }
  await expect(page.getByTestId('presence-iran')).toHaveAttribute('data-joined', 'true');

  // Someone opens Iran's console: it says who plays the seat.
  await joinWithLink(iran.page, codes.iran!);
  await expectLive(iran.page);
  await expect(iran.page.getByTestId('played-by-bot')).toHaveText(/played by a language model/);
}

/** The white cell's console names the machines and starts the first beat. */
async function startWithMachines(page: Page): Promise<void> {
  await page.getByTestId('open-facilitator').click();
  await expectLive(page);
  await expect(page.getByTestId('seat-bot-iran')).toHaveText('language model');
  await expect(page.getByTestId('seat-bot-israel')).toHaveText('bot');
  await page.getByTestId('next-action').click();
  await expectPhase(page, 'briefing');
  await page.getByTestId('next-action').click();
  // The seats are all machines: planning may be over before it is looked at.
  await expect(page.getByTestId('phase')).toHaveAttribute('data-phase', /^(planning|resolution)$/);
  await expect(iran.page.getByTestId('bot-tag-iran')).toHaveText('language model');
}

/** Beat 1: an illegal answer, an illegal repair, and Iran plays its default. The white cell reads why. */
async function expectDefaultWithReason(page: Page): Promise<void> {
  const note = page.getByTestId('white-cell-note').filter({ hasText: 'no playable answer' });
  await expect(note).toHaveAttribute('data-from', 'iran', { timeout: 60_000 });
  await expect(note).toContainText('after one repair prompt, the answer is not JSON');
  // The repair named what was wrong with the first answer.
  expect(llm.requests.some((r) => r.body.messages.at(-1)?.content.includes('"nuke-everything" is not on the menu'))).toBe(true);
  await expectPhase(page, 'resolution');
  const first = page.locator(`[data-testid="resolution"][data-beat="${FIRST!.id}"]`).first();
  const defaultTitle = iranIn(FIRST)!.moves.find((m) => m.id === iranIn(FIRST)!.defaultMove)!.title;
  const iran1 = iranChoice(first);
  await expect(iran1).toContainText(defaultTitle);
  await expect(iran1.locator('.resolution__rationale')).toContainText('the language model gave no playable answer');
  // In Iran's team channel too, marked as the white cell's alone.
  const teamIran = await openChannel(page, 'team-iran');
  await expect(teamIran.getByTestId('message').filter({ hasText: 'no playable answer' }).getByTestId('to-white-cell')).toBeVisible();
  expect(llm.requests.length).toBeGreaterThanOrEqual(2);
}

/** Beat 2: a legal answer becomes Iran's move, and the white cell reads the model's rationale. */
async function expectModelsMove(page: Page): Promise<void> {
  await page.getByTestId('next-action').click();
  const second = page.locator(`[data-testid="resolution"][data-beat="${SECOND!.id}"]`).first();
  await expect(second).toBeVisible({ timeout: 60_000 });
  const asked = llm.requests.findLast((r) => r.body.messages[1]?.content.startsWith(`Beat: ${SECOND!.title} `));
  expect(asked, 'the model was asked about the second beat').toBeDefined();
  const chosen = menuOf(asked!).find((m) => m !== iranIn(SECOND)?.defaultMove);
  const title = iranIn(SECOND)!.moves.find((m) => m.id === chosen)!.title;
  const iran2 = iranChoice(second);
  await expect(iran2).toContainText(title);
  await expect(iran2.locator('.resolution__rationale')).toHaveText(`“${RATIONALE}”`);
  await expect(page.getByTestId('white-cell-note')).toHaveCount(1);
}

/** The note reached the white cell's socket and not Iran's console; the key went to the model alone. */
async function expectNoteAndKeyKept(): Promise<void> {
  expect(fac.received.some((f) => f.includes('after one repair prompt, the answer is not JSON'))).toBe(true);
  expect(iran.received.length).toBeGreaterThan(0);
  // Iran's own console reads that its move was the default (the rationale), but not why.
  expect(iran.received.some((f) => f.includes('after one repair prompt'))).toBe(false);
  await openChannel(iran.page, 'team-iran');
  await expect(iran.page.getByTestId('to-white-cell')).toHaveCount(0);

  // The key went to the model as a bearer token, and nowhere else.
  expect(llm.requests.every((r) => r.auth === `Bearer ${KEY}`)).toBe(true);
  for (const s of [fac, iran]) {
    expect(await s.page.content()).not.toContain(KEY);
    expect(s.received.some((f) => f.includes(KEY))).toBe(false);
  }
  expect(server.output()).toContain('playing the default move');
  expect(server.output()).not.toContain(KEY);
}

test('the white cell seats a language model from Setup; its fallback and its reasons reach the white cell alone', async () => {
  test.setTimeout(240_000);
  const page = fac.page;
  // The server has a model, so Setup offers it by name.
  await seatTheModel(page);
  await startWithMachines(page);
  await expectDefaultWithReason(page);
  await expectModelsMove(page);
  await expectNoteAndKeyKept();
});

/** Drives a seated table through beats the way people would: each acting seat picks, the facilitator reviews and advances. */
import type { WireView } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import type { Seat, Table, TestClient } from './harness.ts';

const scenario = shippedScenario('april-2024');

/** The historical choice per beat and seat. */
export const HISTORICAL: Record<string, Record<string, string>> = {};
for (const step of scenario.historicalPath) (HISTORICAL[step.beat] ??= {})[step.seat] = step.move;

/**
 * The highest game version any client has seen: game commands are made
 * against it. Every viewer counts game versions alike until a seat saves a
 * move over its own, which only that seat and the white cell count (each
 * viewer's `version` counts its own stream).
 */
export function head(table: Table): number {
  return Math.max(...table.all().map((c) => c.view?.gameVersion ?? 0));
}

/** Waits for `client` to see the game at `gameVersion`, then sends against it; the game version after it. */
async function sendAt(client: TestClient, gameVersion: number, send: () => Promise<{ gameVersion: number }>): Promise<number> {
  await client.untilGameVersion(gameVersion);
  return (await send()).gameVersion;
}

/** Starts the game and opens the first beat; the game version then. */
export async function startGame(table: Table): Promise<number> {
  await table.facilitator.untilGameVersion(head(table));
  await table.facilitator.must({ type: 'START' });
  return table.facilitator.must({ type: 'ADVANCE' }).then((r) => r.gameVersion);
}

/**
 * Plays the beat in planning: every acting seat locks in the historical move
 * (or its default), then the facilitator accepts the adjudication and
 * advances. Returns the facilitator's view after the advance.
 */
export async function playBeat(table: Table, picks: Record<string, string> = {}): Promise<WireView> {
  const fac = table.facilitator;
  // Each client is caught up with the server (sync) before it acts, not waited to a game version another client
  // reported: a seat that locks in over its own lock-in moves only its own game version and the white cell's.
  await fac.caughtUp();
  const view = await fac.until((v) => v.phase === 'planning', 10_000, 'planning');
  const beat = view.beat;
  if (!beat) throw new Error('no beat in planning');
  for (const seat of beat.actingSeats) {
    const client = table.seats[seat as Seat];
    await client.caughtUp();
    const mine = await client.until((v) => v.menu !== null, 10_000, `${seat} menu`);
    const menu = mine.menu;
    if (!menu) throw new Error(`${seat} has no menu`);
    const wanted = picks[seat] ?? HISTORICAL[beat.id]?.[seat];
    const move = menu.moves.some((m) => m.id === wanted) ? (wanted ?? menu.defaultMove) : menu.defaultMove;
    await client.must({ type: 'SUBMIT_MOVE', move, rationale: `${seat} chooses ${move} in ${beat.id}.`, lock: true });
  }
  await fac.caughtUp();
  await fac.until((v) => v.phase === 'adjudication', 10_000, 'adjudication');
  let gv = (await fac.must({ type: 'ACCEPT_ADJUDICATION' })).gameVersion;
  gv = await sendAt(fac, gv, () => fac.must({ type: 'ADVANCE' }));
  return fac.untilGameVersion(gv);
}

/** Plays beats until the outcome (or `maxBeats`). Returns the beat ids played, in order. */
export async function playToOutcome(table: Table, maxBeats = 12): Promise<string[]> {
  const played: string[] = [];
  for (let i = 0; i < maxBeats; i++) {
    const view = await table.facilitator.until((v) => v.phase === 'planning' || v.phase === 'outcome', 10_000, 'planning or outcome');
    if (view.phase === 'outcome') return played;
    played.push(view.beat?.id ?? '?');
    await playBeat(table);
  }
  throw new Error(`no outcome after ${maxBeats} beats: ${played.join(' → ')}`);
}

/** Plays beats until `beatId` is in planning. */
export async function playUntilBeat(table: Table, beatId: string, maxBeats = 8): Promise<WireView> {
  for (let i = 0; i < maxBeats; i++) {
    const view = await table.facilitator.until((v) => v.phase === 'planning' || v.phase === 'outcome', 10_000, 'planning');
    if (view.beat?.id === beatId) return view;
    if (view.phase === 'outcome') break;
    await playBeat(table);
  }
  throw new Error(`never reached ${beatId}`);
}

/**
 * The integration suite, run once per backend (memory, Redis): a real server
 * on a random port, real socket.io-client sockets, assertions on the raw
 * events each socket received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireView } from '@rubicon/shared';
import {
  SkewClock,
  deleteRedisKeys,
  seatTable,
  settle,
  startServer,
  uniquePrefix,
  type Backend,
  type Table,
  type TestServer,
} from './harness.ts';
import { privateChannelCases } from './integration-channels.ts';
import type { IntegrationSuite } from './integration-context.ts';
import { deadlineCases } from './integration-deadlines.ts';
import { idempotencyCases } from './integration-idempotency.ts';
import { presenceCases } from './integration-presence.ts';
import { reconnectionCases } from './integration-reconnection.ts';
import { refusalCases } from './integration-refusals.ts';
import { playToOutcome, startGame } from './play.ts';

/** Versions 1..n with none missing or repeated: what every socket connected from the start must have seen. */
function expectContiguous(versions: number[], from: number, to: number): void {
  expect(versions).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
}

/** A game with review, played as history went to its outcome and on to the debrief, every socket checked. */
async function playWholeGame(seat: IntegrationSuite['seat']): Promise<void> {
  const t = await seat({ review: true });
  await t.seats.iran.must({ type: 'SEND_MESSAGE', channel: 'public', text: 'Iran reserves the right to respond.' });
  await startGame(t);
  const beats = await playToOutcome(t);
  // Everyone chose as history did, so the game follows history's beats to history's outcome.
  expect(beats).toEqual(['consulate-strike', 'iran-decision', 'signalling-window', 'strike-and-defence', 'international-reaction', 'israel-decision']);
  const fac = t.facilitator.view as WireView;
  expect(fac.phase).toBe('outcome');
  expect(fac.outcome?.outcome).toBe(fac.outcome?.historical.outcome);
  expect(fac.outcome?.path.map((p) => p.id)).toEqual(beats);
  const last = await t.facilitator.must({ type: 'ADVANCE' });
  await settle(t.all());
  expect(t.facilitator.version).toBe(last.version);

  for (const client of t.all()) {
    expect(client.view?.phase, client.label).toBe('debrief');
    expect(client.view?.gameVersion, client.label).toBe(last.gameVersion);
    expect(client.view?.outcome?.outcome, client.label).toBe(fac.outcome?.outcome);
    // Every socket got every update of its own stream exactly once, in order, and never had to ask for a missed one.
    expectContiguous(client.updateVersions, 1, client.version);
    expect(client.gaps, client.label).toBe(0);
    expect(client.messages.map((m) => m.text)).toContain('Iran reserves the right to respond.');
  }
  // After the outcome every choice is revealed: the observer sees the same resolutions as the facilitator.
  expect(t.observer.view?.resolutions.map((r) => r.choices.length)).toEqual(t.facilitator.view?.resolutions.map((r) => r.choices.length));
  // The state every socket holds is the one the server rebuilds from the log.
  const sync = await t.observer.sync(0);
  expect(sync.ok && sync.data.view).toEqual(t.observer.view);
}

export function defineIntegrationSuite(backend: Backend): void {
  const prefix = uniquePrefix(`it-${backend}`);
  const clock = new SkewClock();
  let server: TestServer;
  const tables: Table[] = [];
  const seat = async (request: Parameters<typeof seatTable>[1] = {}) => {
    const t = await seatTable(server.url, request);
    tables.push(t);
    return t;
  };

  beforeAll(async () => {
    // Socket.IO's recovery is off by default (its memory grows with all traffic); the suite turns it on to test it.
    server = await startServer({ backend, prefix, env: { RECOVERY_MS: '120000' }, deps: { clock } });
  });
  afterAll(async () => {
    for (const t of tables) t.close();
    await server?.close();
    if (backend === 'redis') await deleteRedisKeys(prefix);
  });
  const suite: IntegrationSuite = { backend, clock, seat, tables, server: () => server };

  describe(`[${backend}] a whole game`, () => {
    it('is played by four seats and a facilitator, watched by an observer, to an outcome', () => playWholeGame(seat));
  });

  // One server for all of them, in this order: the deadline case moves the clock the later ones run on.
  privateChannelCases(suite);
  refusalCases(suite);
  reconnectionCases(suite);
  idempotencyCases(suite);
  deadlineCases(suite);
  presenceCases(suite);
}

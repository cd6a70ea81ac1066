import { beforeAll, describe, expect, it } from 'vitest';
import { api, settle, type TestServer } from './harness.ts';
import type { IntegrationSuite } from './integration-context.ts';
import { startGame } from './play.ts';

/** A beat's deadline closes it on the server's clock, and a pause holds it. */
export function deadlineCases(suite: IntegrationSuite): void {
  const { backend, clock, seat } = suite;
  describe(`[${backend}] beat deadlines`, () => {
    let server: TestServer;
    // The suite's beforeAll, outside this block, started it: it runs before this one.
    beforeAll(() => {
      server = suite.server();
    });

    it('closes a beat on its own when its deadline passes, and not while paused', async () => {
      const t = await seat({ timerSeconds: { 'consulate-strike': 5 } });
      await t.facilitator.untilGameVersion(await startGame(t));
      const gv = t.facilitator.view!.gameVersion;
      await t.seats.iran.must({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'draft', lock: false }, { expectedGameVersion: gv });
      const paused = (await t.facilitator.must({ type: 'PAUSE' }, { expectedGameVersion: gv + 1 })).version;
      clock.offset += 60_000;
      await new Promise((r) => setTimeout(r, 300));
      expect((await t.facilitator.sync(0)).ok && t.facilitator.version).toBe(paused);
      expect(t.facilitator.view?.phase).toBe('planning');

      await t.facilitator.must({ type: 'RESUME' });
      await new Promise((r) => setTimeout(r, 100));
      clock.offset += 10_000;
      const view = await t.facilitator.until((v) => v.phase === 'adjudication', 5000, 'the deadline to close the beat');
      // The defaulted seats were filled in; Iran's draft counted.
      expect(view.proposal?.choices.find((c) => c.seat === 'iran')?.move).toBe('vow-punishment');
      const exported = await api<{ log: { by: { kind: string }; commandId: string }[] }>(server.url, `/api/sessions/${t.session.sessionId}/export`, {
        token: t.session.facilitatorToken,
      });
      const expiries = exported.body.log.filter((e) => e.by.kind === 'system');
      expect(expiries).toHaveLength(1);
      expect(expiries[0]?.commandId).toMatch(/^timer-\d+$/);
      await settle(t.all());
      for (const client of t.all()) expect(client.view?.phase, client.label).toBe('adjudication');
    });
  });
}

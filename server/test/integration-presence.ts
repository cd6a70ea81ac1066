import { beforeAll, describe, expect, it } from 'vitest';
import { SEATS, api, waitFor, type TestServer } from './harness.ts';
import type { IntegrationSuite } from './integration-context.ts';

/** The session hears who is connected, by role, as sockets come and go. */
export function presenceCases(suite: IntegrationSuite): void {
  const { backend, seat } = suite;
  describe(`[${backend}] presence`, () => {
    let server: TestServer;
    // The suite's beforeAll, outside this block, started it: it runs before this one.
    beforeAll(() => {
      server = suite.server();
    });

    it('tells the session who is connected', async () => {
      const t = await seat();
      await t.observer.until(() => true);
      const last = () => t.observer.received.filter((r) => r.event === 'presence').at(-1)?.args[0];
      await waitFor(() => JSON.stringify(last()) === JSON.stringify({ seats: Object.fromEntries(SEATS.map((s) => [s, 1])), facilitators: 1, observers: 1 }), 5000, 'presence');
      t.seats.iran.close();
      await waitFor(() => (last() as { seats: Record<string, number> } | undefined)?.seats.iran === 0, 5000, 'iran gone');
      const summary = await api<{ presence: { seats: Record<string, number> } }>(server.url, `/api/sessions/${t.session.sessionId}`, { token: t.session.facilitatorToken });
      expect(summary.body.presence.seats).toEqual({ iran: 0, israel: 1, us: 1, mediators: 1 });
    });
  });
}

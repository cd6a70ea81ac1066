import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '@rubicon/shared';
import { api, settle, type TestServer } from './harness.ts';
import { refused, type IntegrationSuite } from './integration-context.ts';
import { startGame } from './play.ts';

/** A command id is applied once per session, however often and through however many sockets it is sent. */
export function idempotencyCases(suite: IntegrationSuite): void {
  const { backend, seat } = suite;
  describe(`[${backend}] idempotency`, () => {
    let server: TestServer;
    // The suite's beforeAll, outside this block, started it: it runs before this one.
    beforeAll(() => {
      server = suite.server();
    });

    it('applies a command sent twice with the same id once', async () => {
      const t = await seat();
      const payload = { commandId: 'retry-after-lost-ack' };
      const first = await t.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload);
      const second = await t.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload);
      expect(first).toEqual({ ok: true, data: { version: 1, gameVersion: 0, duplicate: false } satisfies CommandResult });
      expect(second).toEqual({ ok: true, data: { version: 1, gameVersion: 0, duplicate: true } satisfies CommandResult });

      // Racing copies of one game command (two tabs retrying): one applies, the other is told it was.
      await startGame(t);
      await settle(t.all());
      const v = t.seats.iran.version;
      const racing = await Promise.all(
        [0, 1, 2].map(() => t.seats.iran.command({ type: 'SUBMIT_MOVE', move: 'vow-punishment', rationale: 'r', lock: false }, { commandId: 'racing-submit-1', expectedGameVersion: t.seats.iran.view!.gameVersion })),
      );
      expect(racing.map((r) => r.ok && r.data.version)).toEqual([v + 1, v + 1, v + 1]);
      expect(racing.filter((r) => r.ok && !r.data.duplicate)).toHaveLength(1);

      // Reusing an id for another command is refused.
      expect(refused(await t.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'other' }, { commandId: 'racing-submit-1' })).code).toBe('duplicate');

      await settle(t.all());
      const exported = await api<{ log: { commandId: string }[] }>(server.url, `/api/sessions/${t.session.sessionId}/export`, { token: t.session.facilitatorToken });
      expect(exported.body.log.map((e) => e.commandId).filter((id) => id === 'retry-after-lost-ack' || id === 'racing-submit-1')).toEqual([
        'retry-after-lost-ack',
        'racing-submit-1',
      ]);
      expect(t.observer.messages.filter((m) => m.text === 'once')).toHaveLength(1);

      // Ids are scoped to the session (docs/protocol.md): another session's commands may reuse both, and are applied.
      const other = await seat();
      expect(await other.seats.us.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'once' }, payload)).toEqual({
        ok: true,
        data: { version: 1, gameVersion: 0, duplicate: false } satisfies CommandResult,
      });
      expect(await other.seats.iran.command({ type: 'SEND_MESSAGE', channel: 'public', text: 'other' }, { commandId: 'racing-submit-1' })).toMatchObject({ ok: true, data: { duplicate: false } });
      await settle(other.all());
      expect(other.observer.messages.map((m) => m.text)).toEqual(['once', 'other']);
    });
  });
}

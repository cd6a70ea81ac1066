import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { SessionsFullError, type ImportedSession, type SessionMeta } from '../src/store/types.ts';
import type { CurrentFixture } from './store-contract.ts';
import { eachFixture } from './store-contract-sessions.ts';
import { entry, sessionMeta as anyMeta, snapshot } from './store-fixtures.ts';

/** A session's record with a creator token hash of its own, so that one session's token tells nothing of another's. */
const sessionMeta = (): SessionMeta => anyMeta({ facilitatorTokenHash: randomBytes(32).toString('hex') });

/** An import of `meta` with a log of `length` entries, a snapshot and its creator's grant. */
function imported(meta: SessionMeta, length: number): ImportedSession {
  const entries = Array.from({ length }, (_, i) => {
    const e = entry(i + 1);
    return { seq: e.seq, commandId: e.commandId, json: JSON.stringify(e) };
  });
  return { meta, entries, snapshot: JSON.stringify(snapshot(length)), ownerGrant: { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } };
}

/** What a refused write left of a session: each of these null, empty or 0 when nothing was stored. */
async function leftOf(at: ReturnType<typeof eachFixture>, meta: SessionMeta) {
  const store = at.fx.peer;
  return {
    session: await store.getSession(meta.sessionId),
    codes: await Promise.all(meta.codes.map((c) => store.resolveCode(c.code))),
    token: await store.resolveToken(meta.facilitatorTokenHash),
    head: await store.head(meta.sessionId),
    snapshot: await store.loadSnapshot(meta.sessionId),
  };
}

const NOTHING = { session: null, codes: [null, null, null], token: null, head: 0, snapshot: null };

/** The contract's cap on how many sessions the store holds (CreateOptions.maxSessions, MAX_SESSIONS). */
export function capCases(current: CurrentFixture): void {
  const at = eachFixture(current);

  it('refuses a session past maxSessions, created or imported, storing nothing of it', async () => {
    const held = [sessionMeta(), sessionMeta()];
    await at.store.createSession(held[0] as SessionMeta, { maxSessions: 2 });
    await at.store.importSession(imported(held[1] as SessionMeta, 3), { maxSessions: 2 });
    const [created, fromLog] = [sessionMeta(), sessionMeta()];
    await expect(at.store.createSession(created, { maxSessions: 2 })).rejects.toBeInstanceOf(SessionsFullError);
    await expect(at.fx.peer.importSession(imported(fromLog, 3), { maxSessions: 2 })).rejects.toThrow(SessionsFullError);
    expect(await leftOf(at, created)).toEqual(NOTHING);
    expect(await leftOf(at, fromLog)).toEqual(NOTHING);
    expect((await at.store.listSessions(10)).map((m) => m.sessionId).sort()).toEqual(held.map((m) => m.sessionId).sort());
    // What the cap counts, as /metrics reads it: every writer's sessions, from either.
    expect([await at.store.countSessions(), await at.fx.peer.countSessions()]).toEqual([2, 2]);
    // The cap is the caller's: a larger one, or none, lets the next in.
    await at.store.createSession(created, { maxSessions: 3 });
    await at.store.createSession(sessionMeta());
    expect(await at.store.listSessions(10)).toHaveLength(4);
  });

  it('lets exactly one of two writers take the last place', async () => {
    await at.store.createSession(sessionMeta(), { maxSessions: 2 });
    const [a, b] = [sessionMeta(), sessionMeta()];
    const results = await Promise.allSettled([at.store.createSession(a, { maxSessions: 2 }), at.fx.peer.importSession(imported(b, 2), { maxSessions: 2 })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(SessionsFullError);
    const loser = results[0]?.status === 'rejected' ? a : b;
    expect(await leftOf(at, loser)).toEqual(NOTHING);
    expect(await at.store.listSessions(10)).toHaveLength(2);
  });

  it('counts a place freed once retention removes a session', async () => {
    const [old, other] = [sessionMeta(), sessionMeta()];
    for (const meta of [old, other]) await at.store.createSession(meta, { maxSessions: 2 });
    await expect(at.store.createSession(sessionMeta(), { maxSessions: 2 })).rejects.toBeInstanceOf(SessionsFullError);
    await at.store.retainUntil(old.sessionId, 1000);
    expect(await at.fx.peer.removeDue(2000, 10)).toEqual([old.sessionId]);
    const next = sessionMeta();
    await at.store.createSession(next, { maxSessions: 2 });
    expect(await at.fx.peer.getSession(next.sessionId)).not.toBeNull();
  });
}

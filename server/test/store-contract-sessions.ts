import { nanoid } from 'nanoid';
import { beforeEach, expect, it } from 'vitest';
import type { SessionStore } from '../src/store/types.ts';
import type { CurrentFixture, StoreFixture } from './store-contract.ts';
import { entry, sessionMeta, snapshot } from './store-fixtures.ts';

/**
 * The fixture of the test running, as `at.fx` and `at.store`, taken in a beforeEach where this is called: the
 * contract's beforeEach made it, and hooks run outer first, so it is there to take.
 */
export function eachFixture(current: CurrentFixture): { fx: StoreFixture; store: SessionStore } {
  const at = {} as { fx: StoreFixture; store: SessionStore };
  beforeEach(() => {
    at.fx = current();
    at.store = at.fx.store;
  });
  return at;
}

/** The contract's `sessions` cases: creating, reading and listing session records. */
export function sessionCases(current: CurrentFixture): void {
  const at = eachFixture(current);

  it('stores a session and gives it back', async () => {
    const meta = sessionMeta({ createdAt: 1000 });
    await at.store.createSession(meta);
    expect(await at.store.getSession(meta.sessionId)).toEqual(meta);
    expect(await at.fx.peer.getSession(meta.sessionId)).toEqual(meta);
    expect(await at.store.getSession('no-such-session')).toBeNull();
  });

  it('keeps its own copy: mutating what was passed in or handed out changes nothing', async () => {
    const meta = sessionMeta();
    const original = structuredClone(meta);
    await at.store.createSession(meta);
    meta.title = 'changed';
    meta.codes.push({ role: { kind: 'observer' }, code: 'ZZZZZZ' });
    const got = await at.store.getSession(original.sessionId);
    expect(got).toEqual(original);
    if (got) got.setup.optionalSeats.push('green');
    expect(await at.store.getSession(original.sessionId)).toEqual(original);
  });

  it('refuses a second session with the same id, or a code already in use, writing nothing', async () => {
    const first = sessionMeta();
    await at.store.createSession(first);
    await expect(at.store.createSession({ ...sessionMeta(), sessionId: first.sessionId })).rejects.toThrow(/exists/);

    const clash = sessionMeta();
    const firstCode = first.codes[0];
    if (!firstCode) throw new Error('fixture has codes');
    clash.codes = [{ role: { kind: 'observer' }, code: `FRESH${nanoid(4)}` }, { role: { kind: 'observer' }, code: firstCode.code }];
    await expect(at.store.createSession(clash)).rejects.toThrow(/in use/);
    expect(await at.store.getSession(clash.sessionId)).toBeNull();
    expect(await at.store.resolveCode(clash.codes[0]?.code ?? '')).toBeNull();
    expect(await at.store.resolveCode(firstCode.code)).toEqual({ sessionId: first.sessionId, role: firstCode.role });
    expect((await at.store.listSessions(10)).map((s) => s.sessionId)).toEqual([first.sessionId]);
  });

  it('lists sessions newest first, up to the limit', async () => {
    const metas = [3000, 1000, 4000, 2000].map((createdAt) => sessionMeta({ createdAt }));
    for (const meta of metas) await at.store.createSession(meta);
    const byAge = [...metas].sort((a, b) => b.createdAt - a.createdAt);
    expect(await at.store.listSessions(10)).toEqual(byAge);
    expect(await at.store.listSessions(2)).toEqual(byAge.slice(0, 2));
    expect(await at.store.listSessions(0)).toEqual([]);
  });
}

/** A join code or a token hash resolved. */
function resolveCases(current: CurrentFixture): void {
  const at = eachFixture(current);
  it('resolves each join code of a session to its session and role', async () => {
    const meta = sessionMeta();
    await at.store.createSession(meta);
    for (const { code, role } of meta.codes) {
      expect(await at.fx.peer.resolveCode(code)).toEqual({ sessionId: meta.sessionId, role });
    }
    expect(await at.store.resolveCode('NOPE42')).toBeNull();
  });

  it('resolves a saved token hash to its grant, and an unknown one to null', async () => {
    const seat = { sessionId: 's1', role: { kind: 'seat', seat: 'red' } } as const;
    const facilitator = { sessionId: 's1', role: { kind: 'facilitator' } } as const;
    await at.store.saveToken('a'.repeat(64), seat);
    await at.store.saveToken('b'.repeat(64), facilitator);
    expect(await at.fx.peer.resolveToken('a'.repeat(64))).toEqual(seat);
    expect(await at.store.resolveToken('b'.repeat(64))).toEqual(facilitator);
    expect(await at.store.resolveToken('c'.repeat(64))).toBeNull();
  });
}

/** Rotating an access key, and keying a token stored without one. */
function rotationCases(current: CurrentFixture): void {
  const at = eachFixture(current);
  it('rotates an access key: the old code stops resolving, the new one resolves at the next generation', async () => {
    const meta = sessionMeta();
    await at.store.createSession(meta);
    const [iran] = meta.codes;
    const fresh = `K${nanoid(7)}`;
    const r = await at.store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, fresh);
    expect(r).toEqual({ ok: true, access: { code: fresh, generation: 1 } });
    expect(await at.fx.peer.resolveCode(iran!.code)).toBeNull();
    expect(await at.fx.peer.resolveCode(fresh)).toEqual({ sessionId: meta.sessionId, role: iran!.role, key: 'iran', generation: 1 });
    expect(await at.fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
    // A code another grant holds is refused, changing nothing.
    expect(await at.store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, meta.codes[1]!.code)).toEqual({ ok: false, reason: 'code-taken' });
    expect(await at.fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
  });

  it('saves a token at the new generation in the same rotation, for a key with no code (the creator\'s)', async () => {
    const meta = sessionMeta();
    await at.store.createSession(meta);
    const role = { kind: 'facilitator' } as const;
    expect(await at.store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'd'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 1 } });
    expect(await at.fx.peer.resolveToken('d'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 1 });
    expect(await at.store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'e'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 2 } });
    expect(await at.fx.peer.resolveToken('e'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 2 });
    expect((await at.fx.peer.accessChanges(meta.sessionId)).owner).toEqual({ code: null, generation: 2 });
    // Without a token hash, none is saved.
    await at.store.rotateAccess(meta.sessionId, 'observer', meta.codes[2]!.role, meta.codes[2]!.code, null);
    expect(await at.fx.peer.resolveToken('-')).toBeNull();
  });

  it('gives a token stored without a key one: the new key at generation 0 while it holds, pinned to the old key once that was revoked', async () => {
    const meta = sessionMeta();
    await at.store.createSession(meta);
    const legacy = { sessionId: meta.sessionId, role: { kind: 'facilitator' } } as const;
    await at.store.saveToken('f'.repeat(64), legacy);
    expect(await at.store.keyLegacyToken('f'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('keyed');
    expect(await at.fx.peer.resolveToken('f'.repeat(64))).toEqual({ ...legacy, key: 'owner', generation: 0 });
    expect(await at.fx.peer.keyLegacyToken('f'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('unchanged');
    // Revoked before it was keyed: it stays refused (its generation is not the key's any more).
    await at.store.saveToken('g'.repeat(64), legacy);
    await at.store.rotateAccess(meta.sessionId, 'facilitator', legacy.role, null, null);
    expect(await at.store.keyLegacyToken('g'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('pinned');
    expect(await at.fx.peer.resolveToken('g'.repeat(64))).toEqual({ ...legacy, key: 'facilitator', generation: 0 });
    // Another session's token, and a token that is not there, are left as they are.
    await at.store.saveToken('h'.repeat(64), legacy);
    expect(await at.store.keyLegacyToken('h'.repeat(64), 'other-session', 'facilitator', 'owner')).toBe('unchanged');
    expect(await at.store.keyLegacyToken('i'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('unchanged');
    expect(await at.fx.peer.resolveToken('h'.repeat(64))).toEqual(legacy);
    expect(await at.fx.peer.resolveToken('i'.repeat(64))).toBeNull();
  });
}

/** An imported session's creator grant and snapshot. */
function importedGrantCases(current: CurrentFixture): void {
  const at = eachFixture(current);
  it('stores an imported session\'s creator grant as given', async () => {
    const meta = sessionMeta();
    const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
    await at.store.importSession({ meta, entries: [], snapshot: 'null', ownerGrant });
    expect(await at.fx.peer.resolveToken(meta.facilitatorTokenHash)).toEqual(ownerGrant);
  });

  it("takes an imported session's snapshot as UTF-8 bytes, as its worker makes it, and gives back the same state", async () => {
    const meta = sessionMeta();
    const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
    // Not only ASCII: the bytes are UTF-8, not one byte a character.
    const state = { ...snapshot(0), note: 'Iran–Israel · “quoted”' };
    await at.store.importSession({ meta, entries: [], snapshot: new TextEncoder().encode(JSON.stringify(state)), ownerGrant });
    expect(await at.fx.peer.loadSnapshot(meta.sessionId)).toEqual(state);
  });

  it('removes a session whole once its retention moment passes, and not before; a removed one stays removed', async () => {
    const [gone, kept] = [sessionMeta(), sessionMeta()];
    for (const meta of [gone, kept]) await at.store.createSession(meta);
    const grant = { sessionId: gone.sessionId, role: { kind: 'observer' } } as const;
    await at.store.saveToken('retention-token-' + gone.sessionId, grant);
    const rotated = await at.store.rotateAccess(gone.sessionId, 'observer', grant.role, null, `NEW${gone.sessionId.slice(0, 5)}`, 'retention-owner-' + gone.sessionId);
    await at.store.countRedemption(gone.sessionId, 'observer', 1);
    await at.store.append(gone.sessionId, entry(1));
    await at.store.saveSnapshot(gone.sessionId, snapshot(1));
    await at.store.retainUntil(gone.sessionId, 1000);
    await at.store.retainUntil(kept.sessionId, 1000);
    await at.store.retainUntil(kept.sessionId, null);

    expect(await at.store.removeDue(999, 10)).toEqual([]);
    expect(await at.store.getSession(gone.sessionId)).not.toBeNull();
    expect(await at.fx.peer.removeDue(1000, 10)).toEqual([gone.sessionId]);

    expect(rotated.ok).toBe(true);
    expect(await at.store.getSession(gone.sessionId)).toBeNull();
    for (const code of [...gone.codes.map((c) => c.code), `NEW${gone.sessionId.slice(0, 5)}`]) expect(await at.store.resolveCode(code)).toBeNull();
    for (const hash of ['retention-token-', 'retention-owner-']) expect(await at.store.resolveToken(hash + gone.sessionId)).toBeNull();
    expect(await at.store.accessChanges(gone.sessionId)).toEqual({});
    expect(await at.store.countRedemption(gone.sessionId, 'observer', 1)).toBe(1);
    expect(await at.store.head(gone.sessionId)).toBe(0);
    expect(await at.store.loadSnapshot(gone.sessionId)).toBeNull();
    expect((await at.store.listSessions(100)).map((m) => m.sessionId)).toEqual([kept.sessionId]);
    expect(await at.store.gone([gone.sessionId, kept.sessionId])).toEqual([gone.sessionId]);
    // A late write of a moment does not bring it back into the set, and a kept session's codes are its own still.
    await at.store.retainUntil(gone.sessionId, 5);
    expect(await at.store.removeDue(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(await at.store.resolveCode(kept.codes[0]!.code)).toEqual({ sessionId: kept.sessionId, role: kept.codes[0]!.role });
    // A command a process took on the copy it still held writes a log with no session: removed once that copy is gone.
    await at.store.append(gone.sessionId, entry(1));
    await at.store.append(kept.sessionId, entry(1));
    await at.fx.peer.removeLeft([gone.sessionId, kept.sessionId]);
    expect(await at.store.heads([gone.sessionId, kept.sessionId])).toEqual([0, 1]);
    expect(await at.store.getSession(kept.sessionId)).not.toBeNull();
  });
}

/** The contract's `codes and tokens` cases: what a join code or a token hash resolves to, and rotating them. */
export function codeAndTokenCases(current: CurrentFixture): void {
  resolveCases(current);
  rotationCases(current);
  importedGrantCases(current);
}

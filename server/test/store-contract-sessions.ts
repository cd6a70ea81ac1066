import { nanoid } from 'nanoid';
import { beforeEach, expect, it } from 'vitest';
import type { SessionStore } from '../src/store/types.ts';
import type { CurrentFixture, StoreFixture } from './store-contract.ts';
import { sessionMeta, snapshot } from './store-fixtures.ts';

/** The contract's `sessions` cases: creating, reading and listing session records. */
export function sessionCases(current: CurrentFixture): void {
  let fx: StoreFixture;
  let store: SessionStore;
  // The contract's beforeEach made this test's fixture; hooks run outer first, so it is there to take.
  beforeEach(() => {
    fx = current();
    store = fx.store;
  });

  it('stores a session and gives it back', async () => {
    const meta = sessionMeta({ createdAt: 1000 });
    await store.createSession(meta);
    expect(await store.getSession(meta.sessionId)).toEqual(meta);
    expect(await fx.peer.getSession(meta.sessionId)).toEqual(meta);
    expect(await store.getSession('no-such-session')).toBeNull();
  });

  it('keeps its own copy: mutating what was passed in or handed out changes nothing', async () => {
    const meta = sessionMeta();
    const original = structuredClone(meta);
    await store.createSession(meta);
    meta.title = 'changed';
    meta.codes.push({ role: { kind: 'observer' }, code: 'ZZZZZZ' });
    const got = await store.getSession(original.sessionId);
    expect(got).toEqual(original);
    if (got) got.setup.optionalSeats.push('green');
    expect(await store.getSession(original.sessionId)).toEqual(original);
  });

  it('refuses a second session with the same id, or a code already in use, writing nothing', async () => {
    const first = sessionMeta();
    await store.createSession(first);
    await expect(store.createSession({ ...sessionMeta(), sessionId: first.sessionId })).rejects.toThrow(/exists/);

    const clash = sessionMeta();
    const firstCode = first.codes[0];
    if (!firstCode) throw new Error('fixture has codes');
    clash.codes = [{ role: { kind: 'observer' }, code: `FRESH${nanoid(4)}` }, { role: { kind: 'observer' }, code: firstCode.code }];
    await expect(store.createSession(clash)).rejects.toThrow(/in use/);
    expect(await store.getSession(clash.sessionId)).toBeNull();
    expect(await store.resolveCode(clash.codes[0]?.code ?? '')).toBeNull();
    expect(await store.resolveCode(firstCode.code)).toEqual({ sessionId: first.sessionId, role: firstCode.role });
    expect((await store.listSessions(10)).map((s) => s.sessionId)).toEqual([first.sessionId]);
  });

  it('lists sessions newest first, up to the limit', async () => {
    const metas = [3000, 1000, 4000, 2000].map((createdAt) => sessionMeta({ createdAt }));
    for (const meta of metas) await store.createSession(meta);
    const byAge = [...metas].sort((a, b) => b.createdAt - a.createdAt);
    expect(await store.listSessions(10)).toEqual(byAge);
    expect(await store.listSessions(2)).toEqual(byAge.slice(0, 2));
    expect(await store.listSessions(0)).toEqual([]);
  });
}

/** The contract's `codes and tokens` cases: what a join code or a token hash resolves to, and rotating them. */
export function codeAndTokenCases(current: CurrentFixture): void {
  let fx: StoreFixture;
  let store: SessionStore;
  // The contract's beforeEach made this test's fixture; hooks run outer first, so it is there to take.
  beforeEach(() => {
    fx = current();
    store = fx.store;
  });

  it('resolves each join code of a session to its session and role', async () => {
    const meta = sessionMeta();
    await store.createSession(meta);
    for (const { code, role } of meta.codes) {
      expect(await fx.peer.resolveCode(code)).toEqual({ sessionId: meta.sessionId, role });
    }
    expect(await store.resolveCode('NOPE42')).toBeNull();
  });

  it('resolves a saved token hash to its grant, and an unknown one to null', async () => {
    const seat = { sessionId: 's1', role: { kind: 'seat', seat: 'red' } } as const;
    const facilitator = { sessionId: 's1', role: { kind: 'facilitator' } } as const;
    await store.saveToken('a'.repeat(64), seat);
    await store.saveToken('b'.repeat(64), facilitator);
    expect(await fx.peer.resolveToken('a'.repeat(64))).toEqual(seat);
    expect(await store.resolveToken('b'.repeat(64))).toEqual(facilitator);
    expect(await store.resolveToken('c'.repeat(64))).toBeNull();
  });

  it('rotates an access key: the old code stops resolving, the new one resolves at the next generation', async () => {
    const meta = sessionMeta();
    await store.createSession(meta);
    const [iran] = meta.codes;
    const fresh = `K${nanoid(7)}`;
    const r = await store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, fresh);
    expect(r).toEqual({ ok: true, access: { code: fresh, generation: 1 } });
    expect(await fx.peer.resolveCode(iran!.code)).toBeNull();
    expect(await fx.peer.resolveCode(fresh)).toEqual({ sessionId: meta.sessionId, role: iran!.role, key: 'iran', generation: 1 });
    expect(await fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
    // A code another grant holds is refused, changing nothing.
    expect(await store.rotateAccess(meta.sessionId, 'iran', iran!.role, iran!.code, meta.codes[1]!.code)).toEqual({ ok: false, reason: 'code-taken' });
    expect(await fx.peer.accessChanges(meta.sessionId)).toEqual({ iran: { code: fresh, generation: 1 } });
  });

  it('saves a token at the new generation in the same rotation, for a key with no code (the creator\'s)', async () => {
    const meta = sessionMeta();
    await store.createSession(meta);
    const role = { kind: 'facilitator' } as const;
    expect(await store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'd'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 1 } });
    expect(await fx.peer.resolveToken('d'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 1 });
    expect(await store.rotateAccess(meta.sessionId, 'owner', role, null, null, 'e'.repeat(64))).toEqual({ ok: true, access: { code: null, generation: 2 } });
    expect(await fx.peer.resolveToken('e'.repeat(64))).toEqual({ sessionId: meta.sessionId, role, key: 'owner', generation: 2 });
    expect((await fx.peer.accessChanges(meta.sessionId)).owner).toEqual({ code: null, generation: 2 });
    // Without a token hash, none is saved.
    await store.rotateAccess(meta.sessionId, 'observer', meta.codes[2]!.role, meta.codes[2]!.code, null);
    expect(await fx.peer.resolveToken('-')).toBeNull();
  });

  it('gives a token stored without a key one: the new key at generation 0 while it holds, pinned to the old key once that was revoked', async () => {
    const meta = sessionMeta();
    await store.createSession(meta);
    const legacy = { sessionId: meta.sessionId, role: { kind: 'facilitator' } } as const;
    await store.saveToken('f'.repeat(64), legacy);
    expect(await store.keyLegacyToken('f'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('keyed');
    expect(await fx.peer.resolveToken('f'.repeat(64))).toEqual({ ...legacy, key: 'owner', generation: 0 });
    expect(await fx.peer.keyLegacyToken('f'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('unchanged');
    // Revoked before it was keyed: it stays refused (its generation is not the key's any more).
    await store.saveToken('g'.repeat(64), legacy);
    await store.rotateAccess(meta.sessionId, 'facilitator', legacy.role, null, null);
    expect(await store.keyLegacyToken('g'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('pinned');
    expect(await fx.peer.resolveToken('g'.repeat(64))).toEqual({ ...legacy, key: 'facilitator', generation: 0 });
    // Another session's token, and a token that is not there, are left as they are.
    await store.saveToken('h'.repeat(64), legacy);
    expect(await store.keyLegacyToken('h'.repeat(64), 'other-session', 'facilitator', 'owner')).toBe('unchanged');
    expect(await store.keyLegacyToken('i'.repeat(64), meta.sessionId, 'facilitator', 'owner')).toBe('unchanged');
    expect(await fx.peer.resolveToken('h'.repeat(64))).toEqual(legacy);
    expect(await fx.peer.resolveToken('i'.repeat(64))).toBeNull();
  });

  it('stores an imported session\'s creator grant as given', async () => {
    const meta = sessionMeta();
    const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
    await store.importSession({ meta, entries: [], snapshot: 'null', ownerGrant });
    expect(await fx.peer.resolveToken(meta.facilitatorTokenHash)).toEqual(ownerGrant);
  });

  it("takes an imported session's snapshot as UTF-8 bytes, as its worker makes it, and gives back the same state", async () => {
    const meta = sessionMeta();
    const ownerGrant = { sessionId: meta.sessionId, role: { kind: 'facilitator' }, key: 'owner', generation: 0 } as const;
    // Not only ASCII: the bytes are UTF-8, not one byte a character.
    const state = { ...snapshot(0), note: 'Iran–Israel · “quoted”' };
    await store.importSession({ meta, entries: [], snapshot: new TextEncoder().encode(JSON.stringify(state)), ownerGrant });
    expect(await fx.peer.loadSnapshot(meta.sessionId)).toEqual(state);
  });
}

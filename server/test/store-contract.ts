/**
 * The one behaviour every SessionStore must show, run against each
 * implementation by store-memory.test.ts and store-redis.test.ts. The cases
 * live in store-contract-*.ts, one module per concern; this file makes each
 * test's fixture and names the describe blocks. The Scheduler's contract is
 * scheduler-contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionStore } from '../src/store/types.ts';
import { batchCases } from './store-contract-batches.ts';
import { capCases } from './store-contract-cap.ts';
import { logCases } from './store-contract-log.ts';
import { codeAndTokenCases, sessionCases } from './store-contract-sessions.ts';
import { sessionId, snapshot } from './store-fixtures.ts';

export interface StoreFixture {
  store: SessionStore;
  /**
   * Another handle on the same data: a second store instance with its own
   * connection for Redis, the same instance for memory. Races are run across both.
   */
  peer: SessionStore;
  cleanup(): Promise<void>;
}

/** The running test's fixture, for the case modules: read in their beforeEach, after the contract's made it. */
export type CurrentFixture = () => StoreFixture;

export function sessionStoreContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: SessionStore;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });
    const current: CurrentFixture = () => fx;

    describe('sessions', () => sessionCases(current));
    describe('codes and tokens', () => codeAndTokenCases(current));
    describe('the cap on sessions', () => capCases(current));
    describe('log', () => {
      logCases(current);
      batchCases(current);
    });

    describe('snapshots', () => {
      it('saves and loads a snapshot; the latest save wins', async () => {
        const sid = sessionId();
        expect(await store.loadSnapshot(sid)).toBeNull();
        const first = snapshot(3);
        await store.saveSnapshot(sid, first);
        expect(await fx.peer.loadSnapshot(sid)).toEqual(first);
        const second = snapshot(7);
        await store.saveSnapshot(sid, second);
        expect(await store.loadSnapshot(sid)).toEqual(second);
      });
    });

    describe('health', () => {
      it('answers ping while open and not after close', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        expect(await store.ping()).toBe(false);
        await store.close();
      });
    });
  });
}

import { MemoryScheduler } from '../src/store/memory-scheduler.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { CONTRACT_POLL_MS, schedulerContract } from './scheduler-contract.ts';
import { sessionStoreContract } from './store-contract.ts';

sessionStoreContract('memory', async () => {
  const store = new MemoryStore();
  // One process, one map: the same instance is its own peer.
  return { store, peer: store, cleanup: async () => {} };
});

schedulerContract('memory', async (clock) => ({
  create: async (onError) => new MemoryScheduler({ clock, pollMs: CONTRACT_POLL_MS, onError }),
  shared: false,
  cleanup: async () => {},
}));

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { preactAliases } from './client/preact-aliases.ts';

/** The fault suites kill and stop their own Redis and servers and bound recovery times: one file at a time, after the rest. */
const SERIAL = ['server/test/faults/**/*.test.ts'];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores, so one on a 2-core CI host, and then
    // every file's module loading and every test's waits on servers, timers and child processes
    // run end to end. Most of that time is not CPU, so two workers overlap it
    // (docs/performance/fan-out-log.md, "CI's wall time: two vitest workers ...").
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'], environment: 'node', testTimeout: 30000 } },
      // The top level only, not `exclude: SERIAL`: a project's own exclude drops the command line's --exclude (.ci/run's).
      { test: { name: 'server', include: ['server/test/*.test.ts'], environment: 'node', testTimeout: 30000, hookTimeout: 30000 } },
      // A project of its own because vitest runs a project whose maxWorkers is 1 after the others, one file at a time.
      { test: { name: 'server-faults', include: SERIAL, environment: 'node', testTimeout: 30000, hookTimeout: 30000, maxWorkers: 1 } },
      { test: { name: 'cli', include: ['cli/test/**/*.test.ts'], environment: 'node', testTimeout: 60000 } },
      // The client's tests render with Preact through the same aliases as the build: the library that ships.
      { resolve: { alias: preactAliases }, test: { name: 'client', include: ['client/test/**/*.test.{ts,tsx}'], environment: 'node' } },
    ],
  },
});

import { defineConfig } from 'vitest/config';
import { preactAliases } from './client/preact-aliases.ts';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'], environment: 'node', testTimeout: 30000 } },
      { test: { name: 'server', include: ['server/test/**/*.test.ts'], environment: 'node', testTimeout: 30000, hookTimeout: 30000 } },
      { test: { name: 'cli', include: ['cli/test/**/*.test.ts'], environment: 'node', testTimeout: 60000 } },
      // The client's tests render with Preact through the same aliases as the build: the library that ships.
      { resolve: { alias: preactAliases }, test: { name: 'client', include: ['client/test/**/*.test.{ts,tsx}'], environment: 'node' } },
    ],
  },
});

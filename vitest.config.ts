import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'], environment: 'node', testTimeout: 30000 } },
      { test: { name: 'server', include: ['server/test/**/*.test.ts'], environment: 'node', testTimeout: 30000, hookTimeout: 30000 } },
      { test: { name: 'cli', include: ['cli/test/**/*.test.ts'], environment: 'node', testTimeout: 60000 } },
      { test: { name: 'client', include: ['client/test/**/*.test.{ts,tsx}'], environment: 'node' } },
    ],
  },
});

import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4517);

/**
 * The browser tests run against the server started exactly as the README
 * says (`npm start`: build the client, then serve it), on the in-memory store.
 * Chromium is Debian's, never a downloaded build.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './artifacts/results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // Each file plays its own sessions, in order within the file; two files at a time overlap one's
  // waits (timers, bots, the server) with the other's rendering (docs/performance/fan-out-log.md,
  // "CI's wall time").
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['html', { outputFolder: './artifacts/report', open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: 'npm start',
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    // The whole suite is one address playing dozens of rooms back to back, so the per-address
    // budgets (sized for one school's network) are raised here; security.spec and the server
    // tests hold the limits themselves.
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      BOT_MIN_DELAY_MS: '1500',
      BOT_MAX_DELAY_MS: '4000',
      HELLO_RATE_LIMIT_BURST: '100000',
      HTTP_RATE_LIMIT_BURST: '100000',
      SESSIONS_PER_ADDRESS: '1000000',
      PUBLIC_RATE_LIMIT_BURST: '100000',
      ANONYMOUS_SOCKETS_PER_ADDRESS: '100000',
      JOIN_FAILURES_PER_WINDOW: '100000',
    },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});

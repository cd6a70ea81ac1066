/**
 * The server in its own process, the way production runs it, and a polling
 * wait: free of the server's code and of vitest, so the browser tests
 * (e2e/) start a second server with them too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** From the spawn to its "listening" line. */
  startedInMs: number;
  output(): string;
  /** Kills the process without letting it shut down (no snapshots, no goodbyes). */
  kill(): Promise<void>;
  /** SIGTERM, and the exit code. */
  terminate(): Promise<number | null>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `server/src/main.ts` in its own process, the way production does, and waits until it listens. */
export async function spawnServer(
  env: Record<string, string>,
  timeoutMs = 60_000,
  /** The node binary and its arguments; by default the source through tsx. */
  command: { node: string; args: string[] } = { node: process.execPath, args: ['--import', 'tsx', 'server/src/main.ts'] },
): Promise<ChildServer> {
  const t0 = performance.now();
  const child = spawn(command.node, command.args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let url: string | undefined;
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
      url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
      return url !== undefined;
    },
    timeoutMs,
    'the child server to listen',
  );
  return {
    url: url as string,
    child,
    startedInMs: Math.round(performance.now() - t0),
    output: () => out,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

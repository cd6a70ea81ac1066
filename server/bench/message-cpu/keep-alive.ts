/**
 * The driver's mark script run with the server kept awake. callgrind takes a
 * `callgrind_control` request only while the process it runs executes code:
 * a server idle in epoll_wait (bare's especially, which has no timers of its
 * own) left `callgrind_control -i on` waiting for it, and the run stalled. So
 * while the script runs, the server is poked (an HTTP request to itself) every
 * `everyMs`, and the pokes stop when the script exits.
 *
 * No relative imports: ab.ts resolves the driver's other relative imports in
 * the checkout it measures, and this one in this tree.
 */
import { execFile } from 'node:child_process';
import { get } from 'node:http';

/** Runs `executable` with `args`, calling `poke` every `everyMs` (0: never) until it exits; rejects if it fails. */
export function runKeepingAwake(executable: string, args: readonly string[], poke: () => void, everyMs: number): Promise<void> {
  const timer = everyMs > 0 ? setInterval(poke, everyMs) : null;
  return new Promise<void>((resolve, reject) => execFile(executable, args, (err) => (err ? reject(err) : resolve()))).finally(() => {
    if (timer) clearInterval(timer);
  });
}

/**
 * A poke that sends `url` a GET and drops the answer. The bare server never
 * answers a path outside Socket.IO's, so each request is cut off after a second.
 */
export function httpPoke(url: string): () => void {
  return () => {
    const req = get(url, { agent: false, timeout: 1000 }, (res) => res.resume());
    req.on('timeout', () => req.destroy());
    req.on('error', () => {});
  };
}

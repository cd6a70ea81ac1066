/**
 * Same-run A/B of the server's CPU per public message (driver.ts) between
 * checkouts: the driver is bundled once against each checkout's server code
 * and packages (as the fan-out bench bundles its servers, compile.ts), then
 * the checkouts run one after another, in turn, `MESSAGE_CPU_PAIRS` times.
 * Prints each run's figures, then per checkout the median and the minimum
 * of the CPU over all repetitions, and the median of the bytes allocated.
 *
 *   node --import tsx server/bench/message-cpu/ab.ts <checkout> [<checkout> ...]
 *   (run it under `flock -x /work/bench.lock` on a shared machine)
 *   env: MESSAGE_CPU_PAIRS (3), and the driver's (driver.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { bundleInto } from '../compile.ts';

const driver = fileURLToPath(new URL('./driver.ts', import.meta.url));

/** Driver imports that are the harness's, not the server's: taken from this tree, so older checkouts bundle too. */
const HARNESS = new Set(['./keep-alive.ts']);

/** The driver's own relative imports resolved in `checkout`, so the bundle runs that checkout's server. */
function intoCheckout(checkout: string): Plugin {
  const at = path.join(checkout, 'server/bench/message-cpu');
  return {
    name: 'driver-imports-into-checkout',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => (args.importer === driver && !HARNESS.has(args.path) ? { path: path.resolve(at, args.path) } : undefined));
    },
  };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const checkouts = process.argv.slice(2).map((c) => path.resolve(c));
if (checkouts.length === 0) throw new Error('usage: ab.ts <checkout> [<checkout> ...]');
const pairs = Number(process.env.MESSAGE_CPU_PAIRS ?? 3);
const root = mkdtempSync(path.join(os.tmpdir(), 'rubicon-message-cpu-'));
try {
  const scripts = await Promise.all(checkouts.map((c, i) => bundleInto(driver, mkdtempSync(path.join(root, `${i}-`)), c, [intoCheckout(c)])));
  const all = checkouts.map((): number[] => []);
  const bytes = checkouts.map((): number[] => []);
  for (let p = 0; p < pairs; p++) {
    // The order flips each pair, so neither checkout always runs first.
    const order = p % 2 === 0 ? scripts.map((_, i) => i) : scripts.map((_, i) => scripts.length - 1 - i);
    for (const i of order) {
      const out = execFileSync(process.execPath, ['--expose-gc', scripts[i] as string], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const { perMessageUs, allocPerMessage = [] } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { perMessageUs: number[]; allocPerMessage?: number[] };
      all[i]?.push(...perMessageUs);
      bytes[i]?.push(...allocPerMessage);
      console.log(`${new Date().toISOString().slice(11, 19)} ${checkouts[i]}: ${perMessageUs.join(' / ')} µs, ${allocPerMessage.join(' / ')} B allocated per message`);
    }
  }
  checkouts.forEach((c, i) =>
    console.log(`${c}: median ${median(all[i] ?? [])} µs, min ${Math.min(...(all[i] ?? []))} µs per message; allocated median ${median(bytes[i] ?? [])} B per message (${all[i]?.length} repetitions)`),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}

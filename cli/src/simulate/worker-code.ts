import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The simulation worker and everything it imports, bundled into one CommonJS script, or null if
 * bundling fails (the pool then starts workers through tsx, as before).
 *
 * A worker thread does not inherit tsx's loader: through worker-entry.js each worker registered
 * tsx again (a loader thread of its own, every module sent there and back) and ran tsx's output,
 * which defines a `name` on every closure it makes. One bundle made here by esbuild (the compiler
 * tsx itself uses) is the same source compiled once: a worker then starts in about 0.2-0.5 s
 * instead of 0.6-1.3 s and plays its games with 5-10 % less CPU (docs/performance.md, "Analysis
 * mode").
 */
export async function bundledWorker(): Promise<string | null> {
  try {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? null;
  } catch {
    return null;
  }
}

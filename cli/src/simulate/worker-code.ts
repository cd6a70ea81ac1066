import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version } from 'esbuild';
import { contentHash, readBundle, writeBundle, type CachedBundle } from './bundle-cache.ts';

const ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * Where built worker bundles are kept between runs: the checkout's own `node_modules/.cache`, as
 * other build tools do, not the shared temp folder, where another local user could leave a file
 * that the workers would then run as code.
 */
export const WORKER_BUNDLE_CACHE = fileURLToPath(new URL('../../../node_modules/.cache/rubicon-simulate-worker', import.meta.url));

/**
 * The simulation worker and everything it imports, bundled into one CommonJS script, or null if
 * bundling fails (the pool then starts workers through tsx, as before).
 *
 * A worker thread does not inherit tsx's loader: through worker-entry.js each worker registered
 * tsx again (a loader thread of its own, every module sent there and back) and ran tsx's output,
 * which defines a `name` on every closure it makes. One bundle made here by esbuild (the compiler
 * tsx itself uses) is the same source compiled once: a worker then starts in about 0.2-0.5 s
 * instead of 0.6-2.9 s and plays its games with 4-25 % less CPU (four pairs on a loaded machine)
 * (docs/performance/analysis-log.md, "Worker warm-up: deopts, closures and tsx"). The bundle is
 * kept in `cacheDir` with a hash of each of its inputs and used again while none has changed:
 * building it took about a third of a second of every run's start.
 */
export async function bundledWorker(cacheDir: string = WORKER_BUNDLE_CACHE): Promise<string | null> {
  const builder = `esbuild ${version}`;
  const cached = await readBundle(cacheDir, ENTRY, builder);
  if (cached !== null) return cached;
  const started = Date.now();
  const built = await buildWorker();
  if (!built) return null;
  const inputs = await hashInputs([...built.inputs, ...(await configsOf(built.inputs))], started);
  if (inputs) await writeBundle(cacheDir, ENTRY, builder, { code: built.code, inputs });
  return built.code;
}

/** The bundle and the absolute paths of its inputs, or null if the build fails. */
async function buildWorker(): Promise<{ code: string; inputs: string[] } | null> {
  const root = process.cwd();
  try {
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      metafile: true,
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text;
    return code === undefined ? null : { code, inputs: Object.keys(result.metafile.inputs).map((p) => resolve(root, p)) };
  } catch {
    return null;
  }
}

/**
 * A hash of each input, or null (do not keep the bundle) if one cannot be read or was saved
 * after the build started: what was built may then be older than what is hashed.
 */
async function hashInputs(paths: readonly string[], started: number): Promise<CachedBundle['inputs'] | null> {
  try {
    const inputs: CachedBundle['inputs'] = {};
    for (const p of paths) inputs[p] = contentHash(await readFile(p));
    const stats = await Promise.all(paths.map((p) => stat(p)));
    return paths.length > 0 && stats.every((s) => s.mtimeMs < started) ? inputs : null;
  } catch {
    return null;
  }
}

/** Files beside the sources that decide how esbuild resolves and compiles them (package exports, tsconfig). */
const CONFIGS = ['package.json', 'tsconfig.json', 'tsconfig.base.json'];

/** The CONFIGS files in the folders of `paths` and every folder above them. */
async function configsOf(paths: readonly string[]): Promise<string[]> {
  const folders = new Set<string>();
  for (const p of paths)
    for (let dir = dirname(p); !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  const candidates = [...folders].flatMap((dir) => CONFIGS.map((name) => join(dir, name)));
  const present = await Promise.all(candidates.map((c) => stat(c).then((s) => s.isFile(), () => false)));
  return candidates.filter((_, k) => present[k]);
}

/**
 * The fan-out servers as plain JavaScript, the way production runs the
 * service (tsc's output under `node`, no loader): tsx transforms with
 * esbuild's keepNames, which wraps every named function and closure in
 * `__name(...)` at run time (about 1.1 KB allocated per message in
 * Rubicon's server, more closures than bare's), a cost the shipped service
 * does not pay.
 *
 * Each server entry is bundled once per run with esbuild (no keepNames;
 * ES2022 modules, tsconfig.base.json's target as tsc emits): the workspace's
 * own TypeScript (the checkout's server and bench code, @rubicon/shared) goes
 * in, every other package stays an import, resolved at run time from the
 * checkout's node_modules as the service resolves them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/**
 * Packages stay imports; the workspace's own are bundled from source (its
 * node_modules links are to the checkout's own folders). esbuild's filters
 * are Go regular expressions, without lookahead, hence the test inside.
 */
const packagesExternal: Plugin = {
  name: 'packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@rubicon/') ? undefined : { path: args.path, external: true }));
  },
};

/** ES2022 modules for Node, as tsconfig.base.json's target has tsc emit them, without keepNames. */
const BUILD: BuildOptions = { bundle: true, platform: 'node', format: 'esm', target: 'es2022', keepNames: false, sourcemap: false, logLevel: 'error' };

/**
 * `import.meta.url` keeps meaning the source file, as under tsx: the code
 * finds files beside itself (the scenarios, the repository root, a require
 * from its own folder), and the bundle lives elsewhere. Files in `ownUrl`
 * keep the bundle's: they look for a built file beside the bundle.
 */
function sourceUrls(ownUrl: ReadonlySet<string> = new Set()): Plugin {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (ownUrl.has(args.path)) return undefined;
        const text = await readFile(args.path, 'utf8');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles `entry` into `dir` (made if need be) as described above, with a node_modules link to `checkout`'s
 * (whose packages the bundle imports). `plugins` resolve before the others (message-cpu/ab.ts points an
 * entry's own imports into another checkout). Returns the bundle's path.
 */
export async function bundleInto(entry: string, dir: string, checkout: string, plugins: Plugin[] = []): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
  await build({ ...BUILD, entryPoints: [entry], outfile, plugins: [...plugins, packagesExternal, sourceUrls()] });
  await symlink(path.join(path.resolve(checkout), 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return outfile;
}

/**
 * The service itself (`checkout`'s server/src/main.ts) bundled into `dir` as
 * above, with its import worker beside it as the shipped build lays them out:
 * import-pipeline.ts starts `./session-file-worker.js` from its own folder when it
 * runs as JavaScript, so it keeps the bundle's `import.meta.url`, and the
 * worker is a second bundle there. Nothing of tsx is loaded, in the process
 * or in its workers. Returns main's bundle, to run with plain `node`.
 */
export async function bundleService(checkout: string, dir: string): Promise<string> {
  const src = path.join(path.resolve(checkout), 'server/src');
  const ownUrl = sourceUrls(new Set([path.join(src, 'session/import-pipeline.ts')]));
  const plugins = [packagesExternal, ownUrl];
  const outfile = path.join(dir, 'main.mjs');
  // A checkout from before 7 December (a baseline) names its worker import-worker.
  const worker = existsSync(path.join(src, 'session/session-file-worker.ts')) ? 'session-file-worker' : 'import-worker';
  await Promise.all([
    build({ ...BUILD, entryPoints: [path.join(src, 'main.ts')], outfile, plugins }),
    build({ ...BUILD, entryPoints: [path.join(src, `session/${worker}.ts`)], outfile: path.join(dir, `${worker}.js`), plugins }),
  ]);
  // The worker's `.js` is an ES module, as the compiled service's are (server/package.json's "type").
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(path.join(path.resolve(checkout), 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return outfile;
}

/** Bundles made for one run, in a temporary folder removed by `dispose`. */
export class CompiledServers {
  private dir: Promise<string> | null = null;
  private readonly built = new Map<string, Promise<string>>();
  private count = 0;

  /**
   * The JavaScript for `entry` (a server's .ts), built on first use.
   * `checkout` is the repository it belongs to: its node_modules serves the bundle's imports.
   */
  script(entry: string, checkout: string): Promise<string> {
    let out = this.built.get(entry);
    if (!out) {
      out = this.compile(entry, checkout);
      this.built.set(entry, out);
    }
    return out;
  }

  private async compile(entry: string, checkout: string): Promise<string> {
    this.dir ??= mkdtemp(path.join(os.tmpdir(), 'rubicon-fanout-js-'));
    const n = this.count++;
    // A folder per entry, with a node_modules link to its checkout's, so a baseline's bundle uses the baseline's packages.
    const dir = path.join(await this.dir, String(n));
    return bundleInto(entry, dir, checkout);
  }

  async dispose(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
    this.dir = null;
    this.built.clear();
  }
}

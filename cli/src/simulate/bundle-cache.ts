import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A built script and what it was built from: every input file (absolute path) with a hash of its content. */
export interface CachedBundle {
  code: string;
  inputs: Record<string, string>;
}

interface CacheFile extends CachedBundle {
  /** What built it (the bundler and its version): another one may build the same inputs otherwise. */
  builder: string;
}

export function contentHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where the bundle of `entry` built by `builder` is kept in `dir`: one file per entry point and builder. */
function cachePath(dir: string, entry: string, builder: string): string {
  return join(dir, `${contentHash(`${builder}\0${entry}`).slice(0, 24)}.json`);
}

/**
 * The cached bundle of `entry`, or null if there is none or any of its inputs
 * has changed since (or is gone). Reading and hashing the inputs takes a few
 * milliseconds; building them again, about a third of a second.
 */
export async function readBundle(dir: string, entry: string, builder: string): Promise<string | null> {
  let cached: CacheFile;
  try {
    cached = JSON.parse(await readFile(cachePath(dir, entry, builder), 'utf8')) as CacheFile;
  } catch {
    return null;
  }
  if (cached.builder !== builder || typeof cached.code !== 'string' || typeof cached.inputs !== 'object' || cached.inputs === null) return null;
  const paths = Object.keys(cached.inputs);
  if (paths.length === 0) return null;
  const current = await Promise.all(paths.map((p) => readFile(p).then(contentHash, () => null)));
  return current.every((hash, k) => hash === cached.inputs[paths[k]!]) ? cached.code : null;
}

/**
 * Keeps a bundle for readBundle. Written to a file of its own and renamed into
 * place, so two runs starting at once never read half a file; a cache that
 * cannot be written is only a slower start, so failures are ignored.
 */
export async function writeBundle(dir: string, entry: string, builder: string, bundle: CachedBundle): Promise<void> {
  const path = cachePath(dir, entry, builder);
  const partial = `${path}.${process.pid}.partial`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(partial, JSON.stringify({ builder, ...bundle } satisfies CacheFile));
    await rename(partial, path);
  } catch {
    // Nothing to undo: the next run builds again.
  }
}

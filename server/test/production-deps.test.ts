/**
 * The production image installs only @rubicon/server's and @rubicon/shared's
 * dependencies (Dockerfile, stage `deps`: `npm ci --omit=dev --workspace …`).
 * That install also brings a workspace's own devDependencies, so the server
 * declares none (tsx and the rest come from the root's), and every package
 * the server's code loads at run time must be declared, and nothing else.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The package a specifier names: `@scope/name` or `name`, without a subpath. */
const packageOf = (specifier: string) => specifier.match(/^(@[^/]+\/[^/]+|[^/]+)/)?.[1] ?? specifier;

/** Packages loaded at run time: value imports and re-exports, dynamic imports and require() (not `import type`). */
function runtimePackages(source: string): Set<string> {
  const found = new Set<string>();
  const patterns = [/^\s*(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+'([^']+)'/gm, /^\s*import\s+'([^']+)'/gm, /(?:\bimport|\brequire|\))\(\s*'([^']+)'\s*\)/g];
  for (const pattern of patterns)
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1] ?? '';
      if (!specifier.startsWith('.') && !specifier.startsWith('node:')) found.add(packageOf(specifier));
    }
  return found;
}

describe('the server package for the production image', () => {
  const manifest = JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

  it('finds value imports, re-exports and require() but not type-only imports', () => {
    const sample = [
      "import type { A } from 'types-only';",
      "import { b } from 'value-pkg/sub';",
      "export { c } from '@scope/pkg/deep';",
      "const p = createRequire(import.meta.url)('required-pkg');",
      "import { d } from './local.ts';",
      "import fs from 'node:fs';",
    ].join('\n');
    expect([...runtimePackages(sample)].sort()).toEqual(['@scope/pkg', 'required-pkg', 'value-pkg']);
  });

  it('declares no devDependencies: the image install would ship them', () => {
    expect(manifest.devDependencies ?? {}).toEqual({});
  });

  it('declares exactly the packages its code loads at run time', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(path.join(serverDir, 'src'))) for (const name of runtimePackages(readFileSync(file, 'utf8'))) used.add(name);
    used.delete('@rubicon/shared');
    const declared = Object.keys(manifest.dependencies ?? {}).filter((name) => name !== '@rubicon/shared');
    expect(declared.sort()).toEqual([...used].sort());
  });
});

/**
 * Whether two client builds ship the same CSS: the same rules in the same
 * cascade order, chunk by chunk, and index.html linking the same chunks in the
 * same order. For moves of rules between source files, which must not change
 * what the browser gets (the hashes in the names differ when a source path
 * does, so chunks are matched by name without their hash).
 *
 *   tsx client/scripts/same-css.ts <dist-before> <dist-after>
 *
 * Exits 1, naming the first difference, when they differ.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const HASHED = /-[A-Za-z0-9_-]{8}\.css$/;

/** The minifier's choices of whitespace are not compared; around a colon it can mean a descendant, so that is left. */
function normaliseCss(css: string): string {
  return css
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .trim();
}

function chunkName(file: string): string {
  return file.replace(HASHED, '.css');
}

function cssChunks(dist: string): Map<string, string> {
  const assets = join(dist, 'assets');
  const chunks = new Map<string, string>();
  for (const file of readdirSync(assets).filter((f) => f.endsWith('.css')).sort()) {
    const name = chunkName(file);
    if (chunks.has(name)) throw new Error(`${dist}: two CSS chunks named ${name}`);
    chunks.set(name, normaliseCss(readFileSync(join(assets, file), 'utf8')));
  }
  return chunks;
}

function linkedCss(dist: string): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  return [...html.matchAll(/href="[^"]*\/([^"/]+\.css)"/g)].map((m) => chunkName(m[1] ?? ''));
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at character ${i}: …${a.slice(Math.max(0, i - 60), i + 60)}… against …${b.slice(Math.max(0, i - 60), i + 60)}…`;
}

function compareBuilds(before: string, after: string): string[] {
  const problems: string[] = [];
  const [a, b] = [cssChunks(before), cssChunks(after)];
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const name of names) {
    const [x, y] = [a.get(name), b.get(name)];
    if (x === undefined || y === undefined) problems.push(`${name}: only in ${x === undefined ? after : before}`);
    else if (x !== y) problems.push(`${name}: differs ${firstDifference(x, y)}`);
    else console.log(`${name}: same (${x.length} characters, ${x.split('}').length - 1} closing braces)`);
  }
  const [la, lb] = [linkedCss(before), linkedCss(after)];
  if (la.join() !== lb.join()) problems.push(`index.html links ${la.join(', ')} before and ${lb.join(', ')} after`);
  else console.log(`index.html links the same CSS in the same order: ${la.join(', ')}`);
  return problems;
}

const [before, after] = process.argv.slice(2);
if (before === undefined || after === undefined) {
  console.error('usage: tsx client/scripts/same-css.ts <dist-before> <dist-after>');
  process.exit(2);
}
const problems = compareBuilds(before, after);
for (const p of problems) console.error(p);
console.log(problems.length === 0 ? 'same CSS' : `${problems.length} difference(s)`);
process.exit(problems.length === 0 ? 0 : 1);

/**
 * The two lists a client writer and an operator read off the docs, held to the code they describe:
 * docs/protocol.md's error codes (shared/src/errors.ts) and the README's configuration table (the
 * environment schema in server/src/config.ts). A code or a setting added without its line fails here.
 * And the links between the docs: every relative link among README.md, docs/*.md and docs/performance/*.md
 * names a file that exists and, in a markdown file, a heading it has. And the code's comments: every docs
 * section one names, by its quoted title or its § number, is a heading of that file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, FILE_PROBLEM_CODES } from '@rubicon/shared';
import { Env, loadConfig } from '../src/config.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The text from the line starting with `start` up to the next line starting with `end`. */
function section(text: string, start: string, end: string): string {
  const from = text.indexOf(`\n${start}`);
  const to = text.indexOf(`\n${end}`, from + 1);
  if (from < 0 || to < 0) throw new Error(`no section "${start}" … "${end}"`);
  return text.slice(from, to);
}

/** Every `backticked` word of `text` that matches `pattern`. */
const quoted = (text: string, pattern: RegExp) => new Set([...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? '').filter((w) => pattern.test(w)));

/**
 * The anchors GitHub gives a document's headings: the text lower-cased, without punctuation, spaces
 * as hyphens, and `-1`, `-2`, … on a repeat. Headings inside fenced code are not headings.
 */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] ?? '').toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** The docs a reader follows links between: README.md, docs/*.md and the performance logs. */
function linkedDocs(): string[] {
  const inDir = (dir: string) =>
    existsSync(new URL(dir, root)) ? readdirSync(new URL(dir, root)).filter((f) => f.endsWith('.md')).map((f) => dir + f) : [];
  return ['README.md', ...inDir('docs/'), ...inDir('docs/performance/')];
}

const anchorCache = new Map<string, Set<string>>();
const anchorsOf = (file: URL) => anchorCache.get(file.href) ?? anchorCache.set(file.href, headingAnchors(readFileSync(file, 'utf8'))).get(file.href) ?? new Set<string>();

/**
 * The links in `path` that do not resolve: a relative target whose file is missing or whose anchor is
 * no heading of that file, and a reference label used but not defined. Code is not read for links.
 */
function brokenLinks(path: string): string[] {
  const text = read(path)
    .replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
    .replace(/`[^`\n]*`/g, '');
  const defined = new Set([...text.matchAll(/^\[([^\]]+)\]:\s/gm)].map((m) => m[1]));
  const undefinedLabels = [...text.matchAll(/\]\[([^\]]+)\]/g)].map((m) => m[1] ?? '').filter((label) => !defined.has(label));
  const targets = [...text.matchAll(/\]\(([^)\s]*)/g), ...text.matchAll(/^\[[^\]]+\]:\s+(\S+)/gm)].map((m) => m[1] ?? '');
  const bad = undefinedLabels.map((label) => `${path}: [${label}] is not defined`);
  for (const target of targets) {
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [file = '', anchor = ''] = target.split('#');
    const dest = file === '' ? new URL(path, root) : new URL(file, new URL(path, root));
    const missing = !existsSync(dest) || (anchor !== '' && dest.pathname.endsWith('.md') && !anchorsOf(dest).has(anchor));
    if (missing) bad.push(`${path}: ${target}`);
  }
  return bad;
}

/** The README's configuration table: each row's variables and the backticked values of its default cell. */
function configRows(): { names: string[]; defaults: string[] }[] {
  const table = section(read('README.md'), '## Configuration', '## Deployment');
  const start = table.indexOf('\n| variable | default | meaning |');
  // One table: the rows from its header to the first line that is not a row (a blank line ends a markdown table).
  const lines = table.slice(start + 1).split('\n').slice(2);
  const rows = lines.slice(0, lines.findIndex((line) => !line.startsWith('| ')));
  return rows.map((row) => {
    const [names = '', defaults = ''] = row.split(' | ');
    return { names: [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''), defaults: [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1] ?? '') };
  });
}

/** The files whose comments may name a docs section: the packages' sources, tests and benches, not their dependencies or builds. */
function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return ['node_modules', 'dist'].includes(entry.name) || entry.name.startsWith('.') ? [] : sourceFiles(`${dir}${entry.name}/`);
    return /\.(ts|tsx|mts|js)$/.test(entry.name) ? [`${dir}${entry.name}`] : [];
  });
}

/** The headings of a markdown file, fenced code left out. */
function headingsOf(path: string): string[] {
  return read(path)
    .replace(/^(```|~~~)[\s\S]*?^\1/gm, '')
    .split('\n')
    .flatMap((line) => /^#{1,6} (.*)$/.exec(line)?.[1] ?? []);
}

/**
 * The docs sections the comments of `path` name that are no heading of the file they name: a quoted title
 * after the file's path (a date between them allowed), each piece of it around a `…` found in one heading,
 * or a `§N`, a heading numbered N. Comments run over lines, so their line starts are joined first.
 */
function missingSections(path: string, cited: { count: number }): string[] {
  const text = read(path).replace(/\n\s*(\*|\/\/)\s?/g, ' ');
  const byTitle = [...text.matchAll(/(docs\/[\w/.-]+\.md),\s*(?:[\d-]+ [A-Z][a-z]+,\s*)?"([^"]+)"/g)].map((m) => ({ doc: m[1] ?? '', title: m[2] ?? '' }));
  const bySection = [...text.matchAll(/(docs\/[\w/.-]+\.md),? §(\d+)/g), ...text.matchAll(/§(\d+) of (docs\/[\w/.-]+\.md)/g)].map((m) =>
    /^\d/.test(m[1] ?? '') ? { doc: m[2] ?? '', number: m[1] ?? '' } : { doc: m[1] ?? '', number: m[2] ?? '' },
  );
  cited.count += byTitle.length + bySection.length;
  const missing: string[] = [];
  for (const { doc, title } of byTitle) {
    const pieces = title.split('…').map((piece) => piece.trim()).filter((piece) => piece !== '');
    const found = existsSync(new URL(doc, root)) && headingsOf(doc).some((heading) => pieces.every((piece) => heading.includes(piece)));
    if (!found) missing.push(`${path}: ${doc}, "${title}"`);
  }
  for (const { doc, number } of bySection) {
    const found = existsSync(new URL(doc, root)) && headingsOf(doc).some((heading) => heading.startsWith(`${number}. `));
    if (!found) missing.push(`${path}: ${doc} §${number}`);
  }
  return missing;
}

describe('the docs list what the code has', () => {
  it("docs/protocol.md's Errors list names every socket error code, and no other", () => {
    const errors = section(read('docs/protocol.md'), '### Errors', '`unavailable` with');
    // The list is the paragraph after "`code` is one of"; session-file problems are documented in docs/session-file.md.
    const list = errors.slice(errors.indexOf('is one of'), errors.indexOf('A refused command changes nothing'));
    const files = new Set<string>(FILE_PROBLEM_CODES);
    const codes = ErrorCode.options.filter((c) => !files.has(c));
    expect([...quoted(list, /^[a-z_]+$/)].sort()).toEqual([...codes].sort());
  });

  it("the README's configuration table has a row for every environment variable the server reads", () => {
    const config = read('server/src/config.ts');
    const schema = config.slice(config.indexOf('const Env = z.object({'), config.indexOf('\n});', config.indexOf('const Env = z.object({')));
    const variables = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');
    expect(variables.length).toBeGreaterThan(40);
    const table = section(read('README.md'), '## Configuration', '## Deployment');
    const documented = quoted(table, /^[A-Z][A-Z0-9_]+$/);
    expect(variables.filter((v) => !documented.has(v))).toEqual([]);
  });

  it("the README's configuration table is one table, a row for each variable, with the server's default", () => {
    // It once had RECOVERY_MS and SHUTDOWN_GRACE_MS twice, the second time after a blank line, which ended the
    // table there: the rows after it (OPEN_BROWSER, the bots', the language model's) showed as a paragraph.
    const rows = configRows();
    const rowsInSection = section(read('README.md'), '## Configuration', '## Deployment').split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBe(rowsInSection.length);
    const names = rows.flatMap((row) => row.names);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    const defaults: Record<string, unknown> = Env.parse({});
    // OPEN_BROWSER is read by open-browser.ts, not the schema: `npm start`'s, not the server's.
    expect(names.filter((name) => !(name in Env.shape) && name !== 'OPEN_BROWSER')).toEqual([]);
    expect(names).toContain('LLM_TIMEOUT_MS');
    const wrong = rows.flatMap(({ names: inRow, defaults: shown }) =>
      inRow.flatMap((name) => {
        const value = defaults[name];
        const stated = typeof value === 'number' || typeof value === 'string' ? String(value) : null;
        return stated === null || shown.includes(stated) ? [] : [`${name}: ${stated} not in ${shown.join(', ')}`];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('every docs section a code comment names, by quoted title or §, is a heading of that file', () => {
    // A comment quoting a figure sends the reader to the section that measured it; a renamed or split
    // section leaves the comment pointing nowhere, and the links check above does not read code.
    const cited = { count: 0 };
    const missing = ['server/', 'shared/', 'client/', 'cli/', 'e2e/'].flatMap(sourceFiles).flatMap((path) => missingSections(path, cited));
    expect(cited.count).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it("docs/protocol.md's Limits table gives the server's defaults, each counted where docs/security.md counts it", () => {
    // A client writer sizes retries and sockets from this table; it once said a token's socket cap was per
    // process, while the code (and security.md) counts it over all processes that share Redis.
    const rows = section(read('docs/protocol.md'), '### Limits', 'Events other than')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| what') && !line.startsWith('| ---'))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '')));
    const { limits, socketsPerToken, anonymousSocketsPerAddress } = loadConfig({});
    const rates = [limits.seat, limits.session, limits.socket, limits.helloPerAddress, limits.httpPerAddress, limits.publicPerAddress];
    expect(rows.slice(0, rates.length).map((row) => row[2])).toEqual(rates.map((r) => `${r.burst} in any ${r.burst / r.perSecond} s`));
    const tokenRow = rows.find((row) => (row[0] ?? '').startsWith("sockets holding one token's grant"));
    expect(tokenRow?.[2]).toBe(String(socketsPerToken));
    const securityRow = read('docs/security.md').split('\n').find((line) => line.startsWith("| sockets holding one token's grant at once |"));
    expect(securityRow).toMatch(/over all processes with Redis/);
    expect(tokenRow?.[1]).toMatch(/over all the server's processes when they share Redis/);
    // The anonymous sockets' cap too, since 7 December: it was per process, and said so.
    const anonymousRow = rows.find((row) => (row[0] ?? '').startsWith('sockets open at once that have not yet said'));
    expect(anonymousRow?.[2]).toBe(String(anonymousSocketsPerAddress));
    expect(anonymousRow?.[1]).toMatch(/over all the server's processes when they share Redis/);
    expect(read('docs/security.md').split('\n').find((line) => line.startsWith('| sockets open at once without a successful `hello` |'))).toMatch(/over all processes with Redis/);
  });

  it('every relative link among README.md, docs/*.md and docs/performance/*.md resolves, anchors included', () => {
    // The goals table at the top of docs/performance.md links each reading to the dated section that holds
    // its run, since the split in docs/performance/*-log.md; an anchor is GitHub's slug of the heading.
    const docs = linkedDocs();
    expect(docs).toContain('docs/performance.md');
    expect([...read('docs/performance.md').matchAll(/^\[[^\]]+\]: \S*#\S+$/gm)].length).toBeGreaterThan(20);
    expect(docs.flatMap(brokenLinks)).toEqual([]);
  });
});

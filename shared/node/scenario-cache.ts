import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { scenarioYamlData } from '../src/scenario/parse.ts';

/**
 * A scenario file's YAML, already parsed, kept beside it as JSON
 * (`parsed/<name>.json`) under the SHA-256 of the exact text it came from.
 * Reading a 290 KB scenario through the `yaml` library cost a fresh process
 * about 300 ms of its ~430 ms of scenario loading at every server start;
 * JSON.parse of the same data costs a few. The copy holds only the YAML's
 * data, before any check: the schema and the cross-checks still run on it at
 * every start, so a change to them needs no new copy. A copy whose hash is not
 * the file's (the YAML edited since) is ignored and the YAML parsed as
 * before, so it can be stale but never wrong; `npm run build:scenarios` (run
 * by `npm run build` and `build:server`) writes them again, and
 * shared/test/scenario-cache.test.ts fails while one is stale.
 */

export interface ScenarioCacheFile {
  /** The YAML file it was parsed from, by name. */
  source: string;
  /** SHA-256 of that file's text (UTF-8), hex. */
  sha256: string;
  /** What `scenarioYamlData` gives for that text. */
  data: unknown;
}

export function scenarioCachePath(yamlPath: string): string {
  return join(dirname(yamlPath), 'parsed', `${basename(yamlPath, '.yaml')}.json`);
}

export function textSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The parsed data kept for `yamlPath` if it was parsed from exactly `text`; undefined when there is none or it is stale. */
export function cachedScenarioData(yamlPath: string, text: string): unknown {
  let file: Partial<ScenarioCacheFile>;
  try {
    file = JSON.parse(readFileSync(scenarioCachePath(yamlPath), 'utf8')) as Partial<ScenarioCacheFile>;
  } catch {
    return undefined;
  }
  return file.sha256 === textSha256(text) && 'data' in file ? file.data : undefined;
}

/** The copy for a file's text; throws if its data would not come back from JSON the same (a YAML `.inf`, say). */
export function scenarioCacheOf(yamlPath: string, text: string): ScenarioCacheFile {
  const data = scenarioYamlData(text);
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(data)), data)) throw new Error(`${yamlPath}: its data does not survive JSON; keep no parsed copy of it`);
  return { source: basename(yamlPath), sha256: textSha256(text), data };
}

/**
 * Writes the parsed copy of every `*.yaml` in `dir` whose copy is missing or stale; returns the files written.
 * A current copy is left as it is, unparsed: `npm start` and the image's build run this on every build.
 */
export function writeScenarioCaches(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return files.flatMap((f) => {
    const yamlPath = join(dir, f);
    const text = readFileSync(yamlPath, 'utf8');
    if (cachedScenarioData(yamlPath, text) !== undefined) return [];
    const out = scenarioCachePath(yamlPath);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(scenarioCacheOf(yamlPath, text))}\n`);
    return [out];
  });
}

// npm run build:scenarios
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = writeScenarioCaches(fileURLToPath(new URL('../scenarios/', import.meta.url)));
  process.stdout.write(written.length > 0 ? written.map((out) => `wrote ${out}\n`).join('') : 'parsed scenario copies up to date\n');
}

// Each shipped scenario's parsed copy (shared/scenarios/parsed/*.json) is its YAML's data to the letter, and a
// copy that is not of the file's very text is never used. A stale copy fails here: `npm run build:scenarios`.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedScenarioData, scenarioCacheOf, scenarioCachePath, textSha256, type ScenarioCacheFile } from '../node/scenario-cache.ts';
import { readScenarioFile, SCENARIO_DIR } from '../node/scenario-files.ts';
import { parseScenarioText, scenarioYamlData, ScenarioFileError } from '../src/scenario/parse.ts';

const shipped = readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.yaml'));
const scratch = mkdtempSync(join(tmpdir(), 'scenario-cache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the parsed copies of the shipped scenarios', () => {
  it.each(shipped)('%s: its copy is of the file as it is now, and holds what its YAML parses to', (f) => {
    const path = join(SCENARIO_DIR, f);
    const text = readFileSync(path, 'utf8');
    const copy = JSON.parse(readFileSync(scenarioCachePath(path), 'utf8')) as ScenarioCacheFile;
    expect(copy.source).toBe(f);
    expect(copy.sha256, `${f} changed since its parsed copy was written: run npm run build:scenarios`).toBe(textSha256(text));
    expect(copy.data).toStrictEqual(scenarioYamlData(text));
    expect(cachedScenarioData(path, text)).toStrictEqual(copy.data);
    // What a start loads through the copy is what the YAML gives.
    expect(readScenarioFile(path)).toStrictEqual(parseScenarioText(text, path));
  });
});

describe('a parsed copy that does not match', () => {
  /** A scenario folder in the scratch dir with one shipped file and the given copy beside it. */
  function folder(name: string, text: string, copy: ScenarioCacheFile | string): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'parsed'), { recursive: true });
    const path = join(dir, 'practice-tanker.yaml');
    writeFileSync(path, text);
    writeFileSync(scenarioCachePath(path), typeof copy === 'string' ? copy : JSON.stringify(copy));
    return path;
  }
  const original = readFileSync(join(SCENARIO_DIR, 'practice-tanker.yaml'), 'utf8');

  it('is ignored once the YAML changed: the file is parsed again', () => {
    const edited = original.replace(/^title: .*$/m, 'title: "Edited after its copy"');
    const path = folder('stale', edited, scenarioCacheOf('practice-tanker.yaml', original));
    expect(cachedScenarioData(path, edited)).toBeUndefined();
    expect(readScenarioFile(path).title).toBe('Edited after its copy');
  });

  it('is ignored when unreadable', () => {
    const path = folder('garbled', original, '{"sha256": ');
    expect(cachedScenarioData(path, original)).toBeUndefined();
    expect(readScenarioFile(path)).toStrictEqual(parseScenarioText(original, path));
  });

  it('that fails the checks sends the file back through its YAML, to name the line', () => {
    const broken = original.replace(/^title: .*$/m, 'title: 12');
    const path = folder('broken', broken, scenarioCacheOf('practice-tanker.yaml', broken));
    expect(cachedScenarioData(path, broken)).toBeDefined();
    expect(() => readScenarioFile(path)).toThrow(ScenarioFileError);
    expect(() => readScenarioFile(path)).toThrow(/practice-tanker\.yaml:\d+:\d+: title: /);
  });

  it('is not written for data that JSON would change', () => {
    expect(() => scenarioCacheOf('x.yaml', 'a: .inf\n')).toThrow(/does not survive JSON/);
    copyFileSync(join(SCENARIO_DIR, 'practice-tanker.yaml'), join(scratch, 'plain.yaml'));
    expect(scenarioCacheOf(join(scratch, 'plain.yaml'), original).sha256).toBe(textSha256(original));
  });
});

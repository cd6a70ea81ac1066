// .ci/run's Node 24 step names vitest projects and an --exclude on its command line; a project split
// or a project's own `exclude` (which drops the command line's) can change what that step runs without
// any test failing. This asks vitest itself which files the step's command selects.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The arguments after `run` of the step that runs vitest on "$NODE_24". */
function node24StepArgs(): string[] {
  const line = readFileSync(join(root, '.ci/run'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('"$NODE_24" node_modules/vitest/vitest.mjs run '));
  if (line === undefined) throw new Error('.ci/run has no Node 24 vitest step');
  return line.split(/\s+/).slice(3);
}

function testFilesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `${dir}/${f}`);
}

describe('.ci/run', () => {
  it('runs every shared and server test file on Node 24, production.test.ts aside (Node 20 covers both Nodes there)', () => {
    const listed = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'list', '--filesOnly', ...node24StepArgs()], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(listed.status, listed.stderr).toBe(0);
    const files = listed.stdout
      .split('\n')
      .map((l) => /^\[[\w-]+\] (\S+)$/.exec(l.trim())?.[1])
      .filter((f): f is string => f !== undefined);
    const expected = [...testFilesUnder('shared/test'), ...testFilesUnder('server/test')].filter((f) => f !== 'server/test/production.test.ts');
    expect(files.sort()).toEqual(expected.sort());
  });
});

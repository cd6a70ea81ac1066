import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_DIR } from '@rubicon/shared/scenario-files';
import { main } from '../src/main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, cwd: SCENARIO_DIR });
  return { code, out, err };
}

describe('rubicon', () => {
  it('help lists every command', async () => {
    const r = await run('help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+help\s+list the commands/m);
    expect(r.out).toMatch(/^\s+scenario\s+check scenario files/m);
  });

  it('shows a command\'s usage for --help or -h after its name, with exit 0', async () => {
    for (const [name, flag] of [['simulate', '--help'], ['verify', '-h'], ['scenario', '--help']] as const) {
      const r = await run(name, flag);
      expect(r.code, `${name} ${flag}: ${r.err}`).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain(`rubicon ${name}`);
    }
  });

  it('refuses an unknown command with exit 2', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it('scenario check accepts the shipped scenario', async () => {
    const r = await run('scenario', 'check', 'april-2024.yaml', '--no-table');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/april-2024\.yaml: valid — april-2024 version \d+/);
    expect(r.out).toMatch(/7 seats \(3 optional\), 9 beats, \d+ moves/);
  });

  it('scenario check prints the sensitivity table of a valid file', async () => {
    const r = await run('scenario', 'check', 'practice-tanker.yaml', '--games', '5');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Sensitivity of practice-tanker: % of 5 seeded games');
    expect(r.out).toMatch(/^seat\s+the-stop\s+the-way-out$/m);
    expect(r.out).toMatch(/^iran\s+\d+%\s+\d+%$/m);
  });

  it('scenario check prints each problem at file:line and exits 1', async () => {
    const text = readFileSync(join(SCENARIO_DIR, 'april-2024.yaml'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('defaultMove: quiet-mourning')) + 1;
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-cli-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, text.replace('defaultMove: quiet-mourning', 'defaultMove: nothing-like-it'));
    const r = await run('scenario', 'check', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:${line}:`);
    expect(r.err).toContain('default move "nothing-like-it"');
  });

  it('scenario check without a file is a usage error', async () => {
    const r = await run('scenario', 'check');
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage:');
  });
});

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySessionFile } from '@rubicon/shared';
import { shippedScenario, SCENARIO_DIR } from '@rubicon/shared/scenario-files';
import { main } from '../src/main.ts';
import { chunksOf, runPool, SimulationPool } from '../src/simulate/pool.ts';
import { formatShifts, mixesOf, rankShifts } from '../src/simulate/sweep.ts';
import { formatCpuSplit } from '../src/simulate/cpu-account.ts';
import { fixed, percent } from '../src/simulate/figures.ts';
import { bundledWorker } from '../src/simulate/worker-code.ts';

const scenario = shippedScenario('april-2024');

/** A game record of a sweep, only its outcome mattering. */
function game(outcome: string) {
  return { game: 0, outcome, peakRung: 0, finalRung: 0, beats: 0, casualties: 0, escalation: {} };
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, cwd: SCENARIO_DIR });
  return { code, out, err };
}

describe('rubicon simulate', () => {
  reportAndRefusalCases();
  workerCases();
  chunkAndExportCases();
  sweepCases();
  figureCases();
});

/** The command line: a run's report and files, and the flags it refuses. */
function reportAndRefusalCases(): void {
  it('reports distributions with intervals and writes the CSVs and an offline HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-sim-'));
    const r = await run('simulate', '--games', '40', '--workers', '0', '--personas', 'iran=hard-liner,israel=maximalist', '--seed', 't', '--out', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('iran=hard-liner,israel=maximalist,us=restrain-israel,mediators=shuttle-broker  (40 games');
    expect(r.out).toMatch(/Regional war\s+\d+\s+[\d.]+% \[[\d.]+%, [\d.]+%\]/);
    expect(r.out).toMatch(/escalation score per seat .*iran -?[\d.]+ \[/);
    expect(r.out).toMatch(/40 games in [\d.]+ s: \d+ games\/s/);
    expect(r.out).toMatch(/CPU while playing: [\d.]+ s \([\d.]+ ms a game\): [\d.]+ s this thread \([\d.]+ ms a game\), [\d.]+ s other threads/);
    const games = readFileSync(join(dir, 'games.csv'), 'utf8').trim().split('\n');
    expect(games).toHaveLength(41);
    expect(games[0]).toBe('mix,game,outcome,peak_rung,final_rung,beats,casualties,escalation_iran,escalation_israel,escalation_us,escalation_mediators');
    const beats = readFileSync(join(dir, 'beats.csv'), 'utf8').trim().split('\n');
    expect(beats.length).toBeGreaterThan(40 * 4 * 4);
    expect(beats[0]).toBe('mix,game,beat_index,beat,seat,move,category,score,defaulted');
    // The mix label holds commas, so it is quoted; then game, beat index, beat, seat, move, category, score, defaulted.
    expect(beats[1]).toMatch(/^"iran=hard-liner,israel=maximalist,us=restrain-israel,mediators=shuttle-broker",0,\d+,[\w-]+,[\w-]+,[\w-]+,[\w-]+,-?\d+,(true|false)$/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    // Offline: no script, no stylesheet or image fetched from anywhere.
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
  }, 60_000);

  it('refuses --export-game with flags it would ignore, with exit 2', async () => {
    const r = await run('simulate', '--export-game', '3', '--sweep', '--out', mkdtempSync(join(tmpdir(), 'rubicon-sim-')));
    expect(r.code).toBe(2);
    expect(r.err).toContain('it does not take --sweep');
  });

  it('refuses a persona a seat does not have, with exit 2', async () => {
    const r = await run('simulate', '--games', '5', '--workers', '0', '--personas', 'israel=shuttle-broker');
    expect(r.code).toBe(2);
    expect(r.err).toContain('"shuttle-broker" is not a persona of israel');
  });

  it('refuses a persona or a grid for an optional seat left out of play, and an unknown optional seat, with exit 2', async () => {
    // Played without Hezbollah, "hezbollah=axis-vanguard" would be a mix that never ran, under its name.
    const named = await run('simulate', '--games', '2', '--workers', '0', '--personas', 'hezbollah=axis-vanguard');
    expect(named.code).toBe(2);
    expect(named.err).toContain('hezbollah is not in play: add --optional hezbollah');
    const grid = await run('simulate', '--sweep', '--games', '2', '--workers', '0', '--grid', 'hezbollah=axis-vanguard|calibrated-front');
    expect(grid.code).toBe(2);
    expect(grid.err).toContain('hezbollah is not in play: add --optional hezbollah');
    const unknown = await run('simulate', '--games', '2', '--workers', '0', '--optional', 'hezbolah');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('"hezbolah" is not an optional seat of april-2024');
    const included = await run('simulate', '--games', '2', '--workers', '0', '--optional', 'hezbollah', '--personas', 'hezbollah=axis-vanguard');
    expect(included.code, included.err).toBe(0);
    expect(included.out).toContain('hezbollah=axis-vanguard');
  });

  it('refuses a seat named twice in --personas, with exit 2', async () => {
    const r = await run('simulate', '--games', '5', '--workers', '0', '--personas', 'iran=hard-liner,iran=strategic-patience');
    expect(r.code).toBe(2);
    expect(r.err).toContain('iran is named twice (iran=hard-liner and iran=strategic-patience)');
  });
}

/** Worker threads: the same games as inline, from a bundle kept between runs, in a pool that outlives a failed batch. */
function workerCases(): void {
  it('plays the same games on worker threads as inline', async () => {
    const spec = { scenarioId: scenario.id, personas: {}, seed: 'pool', optionalSeats: [], from: 0, to: 16, beatsCsvMix: null };
    const inline = await runPool(scenario, spec, 0);
    const threaded = await runPool(scenario, spec, 2);
    expect(threaded.games).toEqual(inline.games);
  }, 60_000);

  it('bundles the worker into one script, without tsx or the names tsx defines on every function', async () => {
    const code = await bundledWorker();
    expect(code).toEqual(expect.stringContaining('playBatch'));
    expect(code).not.toContain('__name(');
    expect(code).not.toContain('tsx');
  });

  it('keeps the worker bundle between runs, and builds it again once one of its inputs has changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-bundle-'));
    const built = await bundledWorker(dir);
    expect(built).toEqual(expect.stringContaining('playBatch'));
    const [name] = readdirSync(dir);
    const file = join(dir, name!);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { code: string; inputs: Record<string, string> };
    expect(Object.keys(kept.inputs)).toEqual(expect.arrayContaining([expect.stringMatching(/cli\/src\/simulate\/worker\.ts$/), expect.stringMatching(/shared\/package\.json$/)]));
    // Marked, so what comes back shows where it came from.
    writeFileSync(file, JSON.stringify({ ...kept, code: `// from the cache\n${kept.code}` }));
    expect(await bundledWorker(dir)).toBe(`// from the cache\n${kept.code}`);
    // An input that no longer hashes as it did when the bundle was built: a fresh build, kept in its place.
    const input = Object.keys(kept.inputs).find((p) => p.endsWith('play.ts'))!;
    writeFileSync(file, JSON.stringify({ ...kept, code: '// stale', inputs: { ...kept.inputs, [input]: 'an older play.ts' } }));
    expect(await bundledWorker(dir)).toBe(built);
    expect((JSON.parse(readFileSync(file, 'utf8')) as typeof kept).inputs[input]).toBe(kept.inputs[input]);
  }, 60_000);

  it('keeps its workers for batch after batch, and a batch that fails does not take the pool down', async () => {
    const pool = await SimulationPool.start(scenario, 2);
    try {
      const spec = { scenarioId: scenario.id, personas: {}, seed: 'pool', optionalSeats: [], from: 0, to: 10, beatsCsvMix: 'm' };
      const hawks = { ...spec, personas: { iran: 'hard-liner', israel: 'maximalist' } };
      const progress: number[] = [];
      const chunks: string[] = [];
      const first = await pool.run(spec, (n) => progress.push(n), (lines) => chunks.push(lines));
      await expect(pool.run({ ...spec, personas: { iran: 'nobody' } })).rejects.toThrow(/"nobody" is not a persona of iran/);
      const second = await pool.run(hawks);
      expect(first.games).toEqual((await runPool(scenario, spec, 0)).games);
      expect(second.games).toEqual((await runPool(scenario, hawks, 0)).games);
      const lines = chunks.join('').trimEnd().split('\n');
      expect(lines.length).toBeGreaterThan(first.games.length);
      // Game order whatever worker finished first, and the same lines as played inline.
      expect(lines.map((l) => Number(l.split(',')[1]))).toEqual([...lines.map((l) => Number(l.split(',')[1]))].sort((a, b) => a - b));
      const inline: string[] = [];
      await runPool(scenario, spec, 0, () => {}, (l) => inline.push(l));
      expect(chunks.join('')).toBe(inline.join(''));
      expect(progress.at(-1)).toBe(10);
    } finally {
      await pool.close();
    }
  }, 60_000);
}

/** How games are handed out to the workers, and one game exported as a session file. */
function chunkAndExportCases(): void {
  it('hands games out in chunks and streams beats.csv lines in game order, as inline', async () => {
    // 2,500 games: many chunks, shrinking to the end, so the two workers finish theirs out of order.
    const spec = { scenarioId: scenario.id, personas: {}, seed: 'chunks', optionalSeats: [], from: 0, to: 2_500, beatsCsvMix: 'm' };
    const threaded: string[] = [];
    const progress: number[] = [];
    const r = await runPool(scenario, spec, 2, (n) => progress.push(n), (l) => threaded.push(l));
    const inline: string[] = [];
    const i = await runPool(scenario, spec, 0, () => {}, (l) => inline.push(l));
    expect(threaded).toHaveLength(chunksOf(0, 2_500, 2).length);
    expect(threaded.join('')).toBe(inline.join(''));
    expect(r.games).toEqual(i.games);
    expect(r.gamesPerWorker.reduce((a, n) => a + n, 0)).toBe(2_500);
    expect(progress.every((n, k) => k === 0 || n >= progress[k - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(2_500);
  }, 60_000);

  it('hands out chunks that shrink as a run ends, so no worker plays on alone for long', () => {
    const chunks = chunksOf(0, 10_000, 2);
    // Every game once, in order.
    expect(chunks[0]![0]).toBe(0);
    expect(chunks.at(-1)![1]).toBe(10_000);
    expect(chunks.every(([from, to], k) => to > from && (k === 0 || from === chunks[k - 1]![1]))).toBe(true);
    const sizes = chunks.map(([from, to]) => to - from);
    expect(Math.max(...sizes)).toBe(1_000);
    expect(sizes.every((n, k) => k === 0 || n <= sizes[k - 1]!)).toBe(true);
    // What the last worker plays after the other has run out: one of the last chunks, not a thousand games.
    expect(sizes.at(-2)).toBe(50);
    expect(sizes.at(-1)).toBeLessThanOrEqual(50);
    // Shares per worker set the size: with more workers the chunks shrink sooner.
    expect(chunksOf(0, 10_000, 8).length).toBeGreaterThan(chunks.length);
    expect(chunksOf(5, 5, 2)).toEqual([]);
    expect(chunksOf(0, 30, 2)).toEqual([[0, 30]]);
  });

  it('exports a simulated game as a session file that verifies and replays to the same outcome', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-sim-'));
    const sim = await run('simulate', '--games', '8', '--workers', '0', '--seed', 'x', '--out', dir);
    // The mix label holds commas, so the CSV quotes it.
    const line = readFileSync(join(dir, 'games.csv'), 'utf8').trim().split('\n')[6]!;
    const row = ['mix', ...line.replace(/^"[^"]*",/, '').split(',')];
    const r = await run('simulate', '--export-game', row[1]!, '--seed', 'x', '--out', dir);
    expect(sim.code, sim.err).toBe(0);
    expect(r.code, r.err).toBe(0);
    const verified = verifySessionFile(readFileSync(join(dir, `game-${row[1]}.json`), 'utf8'), (id) => (id === scenario.id ? scenario : undefined));
    if (!verified.ok) throw new Error(JSON.stringify(verified.problem));
    expect(verified.session.final.turn.context.outcome?.outcome).toBe(row[2]);
    expect(r.out).toContain(`game ${row[1]}: ${row[2]}`);
  });
}

/** A sweep's ranking of the choices that move the odds. */
function sweepCases(): void {
  it('ranks the choices of a sweep by how far they move the odds', () => {
    const mixes = mixesOf({ israel: ['take-the-win', 'maximalist'], us: ['restrain-israel', 'stand-firm'] });
    expect(mixes).toHaveLength(4);
    // Israel's maximalist always ends in regional war here; the US choice changes nothing.
    const runs = mixes.map((mix) => ({ mix, games: Array.from({ length: 50 }, () => game(mix.israel === 'maximalist' ? 'regional-war' : 'de-escalation')) }));
    const top = rankShifts(runs, ['regional-war', 'de-escalation']).filter((s) => s.outcome === 'regional-war');
    // Israel's two choices shift the odds most (in opposite directions), the US's least.
    expect(top.slice(0, 2).map((s) => s.seat)).toEqual(['israel', 'israel']);
    const max = top.find((s) => s.persona === 'maximalist');
    expect(max).toMatchObject({ hits: 100, games: 100, otherHits: 0, otherGames: 100, clear: true });
    expect(max!.odds.low).toBeGreaterThan(10);
    const us = top.find((s) => s.seat === 'us');
    expect(us!.odds.low).toBeLessThan(1);
    expect(us!.odds.high).toBeGreaterThan(1);
    expect(us!.clear).toBe(false);
  });

  it('ranks an outcome one game in 16,200 reached below a real effect, says no choice shifts it clearly, and shows the counts', () => {
    const grid = { israel: ['take-the-win', 'restore-deterrence', 'maximalist'], us: ['restrain-israel', 'stand-firm', 'disengage'] };
    // Regional war in 30% of games with Israel's maximalist, 20% otherwise; a nuclear crisis in one game of the sweep.
    const runs = mixesOf(grid).map((mix) => ({
      mix,
      games: Array.from({ length: 1800 }, (_, i) =>
        game(mix.israel === 'maximalist' && mix.us === 'disengage' && i === 0 ? 'nuclear-crisis' : i % 10 < (mix.israel === 'maximalist' ? 3 : 2) ? 'regional-war' : 'de-escalation'),
      ),
    }));
    const shifts = rankShifts(runs, ['regional-war', 'nuclear-crisis']);
    // By the size of the odds ratio alone, a 1-in-5,400 against 0-in-10,800 row (OR 6) came first.
    expect(shifts[0]).toMatchObject({ seat: 'israel', persona: 'maximalist', outcome: 'regional-war', hits: 1619, games: 5400, otherHits: 2160, otherGames: 10800, clear: true });
    expect(shifts[0]!.shift.low).toBeGreaterThan(0.08);
    const nuclear = shifts.filter((s) => s.outcome === 'nuclear-crisis');
    expect(nuclear.length).toBeGreaterThan(0);
    expect(nuclear.every((s) => !s.clear)).toBe(true);
    expect(shifts.findIndex((s) => s.outcome === 'nuclear-crisis')).toBeGreaterThan(shifts.findLastIndex((s) => s.clear));
    const scenario = {
      outcomes: [
        { id: 'regional-war', title: 'Regional war' },
        { id: 'nuclear-crisis', title: 'Nuclear crisis' },
      ],
    } as unknown as Parameters<typeof formatShifts>[1];
    const text = formatShifts(shifts, scenario);
    expect(text).toContain('ranked by the smallest shift the games support');
    expect(text).toContain('Nuclear crisis: 1 of 16200 games; no choice shifts it clearly');
    expect(text).toMatch(/israel=maximalist\s+1619\/5400 \(30\.0%\) vs 2160\/10800 \(20\.0%\)\s+\+10\.0 pp \[\+8\.\d, \+11\.\d\]\s+OR 1\.71 \[/);
    expect(text).toMatch(/israel=maximalist\s+1\/5400 \(0\.0%\) vs 0\/10800 \(0\.0%\)\s+0\.0 pp \[0\.0, \+0\.1\], no clear shift\s+OR 6\.00 \[0\.24, 147\.33\]/);
  });

  it('ranks no choice for an outcome that no game of the sweep reached', () => {
    const mixes = mixesOf({ israel: ['take-the-win', 'maximalist'] });
    const runs = mixes.map((mix) => ({ mix, games: Array.from({ length: 20 }, () => game('de-escalation')) }));
    const shifts = rankShifts(runs, ['de-escalation', 'nuclear-crisis']);
    expect(shifts.filter((s) => s.outcome === 'nuclear-crisis')).toEqual([]);
    const scenario = { outcomes: [{ id: 'de-escalation', title: 'Step back' }, { id: 'nuclear-crisis', title: 'Nuclear crisis' }] } as unknown as Parameters<typeof formatShifts>[1];
    expect(formatShifts(shifts, scenario)).toContain('Nuclear crisis: reached in no game, so no choice is ranked');
  });
}

/** How figures print. */
function figureCases(): void {
  it('never prints a score that rounds to zero as -0.0, in the terminal or the report', async () => {
    expect([fixed(-0, 1), fixed(-0.04, 1), fixed(-0.004, 2), fixed(-0.4, 0), fixed(-0.06, 1), fixed(0.04, 1)]).toEqual(['0.0', '0.0', '0.00', '0', '-0.1', '0.0']);
    expect(percent(-0)).toBe('0.0');
    // The practice scenario's default mix has seats whose every game scores about 0: their intervals printed [-0.0, 0.0].
    const dir = mkdtempSync(join(tmpdir(), 'rubicon-sim-'));
    const r = await run('simulate', '--scenario', 'practice-tanker', '--games', '500', '--workers', '0', '--out', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/escalation score per seat .* 0\.0 \[0\.0, 0\.0\]/);
    expect(r.out).not.toMatch(/-0\.0\b/);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).not.toMatch(/-0\.0\b/);
  }, 60_000);

  it('splits the CPU of a run between the threads that played, this thread and the rest, per game', () => {
    const line = formatCpuSplit({ playing: 3, main: 0.5, other: 1.5 }, 1000, 2.5, false);
    expect(line).toBe(
      "CPU while playing: 5.00 s (5.000 ms a game): 3.00 s the worker threads (3.000 ms a game), 0.50 s this thread, 1.50 s other threads (V8's compiler and GC helpers, the loader); 2.00 cores busy on average",
    );
  });
}

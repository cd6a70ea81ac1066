import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSessionFile, seatsInPlay, type Scenario } from '@rubicon/shared';
import { mixLabel, parseMixSpec, personaMix } from '@rubicon/shared/bots';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { UsageError, type CliIo, type Command } from '../command.ts';
import { SimulationPool } from '../simulate/pool.ts';
import { playOne, simulatedGame, type GameRow } from '../simulate/play.ts';
import { formatSummary, summarise, type MixSummary } from '../simulate/summary.ts';
import { formatShifts, fullGrid, mixesOf, parseGrid, rankShifts } from '../simulate/sweep.ts';
import { BEATS_CSV_HEAD, gamesCsv } from '../simulate/csv.ts';
import { reportHtml } from '../simulate/report-html.ts';
import { GrowingFile } from '../simulate/growing-file.ts';
import { cpuAccount, formatCpuSplit } from '../simulate/cpu-account.ts';
import { tuneV8ForSimulation } from '../simulate/v8-tuning.ts';

const USAGE = `usage:
  rubicon simulate [--games N] [--personas seat=persona,…] [--seed S] [--workers W]
                   [--scenario ID] [--optional seat,…] [--out DIR] [--sweep [--grid SPEC]]
                   [--export-game I --out DIR]

  Plays whole games headless (the live turn machine and adjudication, no sockets)
  with a bot persona in every seat, and reports the distribution of outcomes, peak
  ladder rung, casualties and each seat's escalation score, with 95% intervals.

  --games N        games per persona mix (default 1000; 200 per mix with --sweep)
  --personas SPEC  e.g. iran=hard-liner,israel=take-the-win; unnamed seats play their default
  --seed S         game i is seeded S:i, so a run is reproducible (default "rubicon")
  --workers W      worker threads (default: the cores available, at most 8; 0 runs inline)
  --optional LIST  optional seats to include, e.g. hezbollah,jordan
  --out DIR        write games.csv (a row per game), beats.csv (game × beat × seat) and report.html
  --sweep          every persona mix of the seats in play (or --grid "iran=a|b;israel=c|d"),
                   ranking each seat's choices per outcome by the shift in its rate that
                   the games support (95% interval, clear shifts first; counts and odds ratio shown)
  --export-game I  write game I of the mix as a session file (DIR/game-I.json) for the replay viewer`;

const OPTIONS = {
  games: { type: 'string' },
  personas: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  scenario: { type: 'string' },
  optional: { type: 'string' },
  out: { type: 'string' },
  sweep: { type: 'boolean' },
  grid: { type: 'string' },
  'export-game': { type: 'string' },
} as const;

function int(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}`);
  return n;
}

/** A text progress bar on stderr, redrawn in place. */
function progressBar(io: CliIo, total: number, label: string): (done: number) => void {
  let last = -1;
  return (done) => {
    const pct = Math.floor((100 * done) / Math.max(1, total));
    if (pct === last) return;
    last = pct;
    const filled = Math.round(pct / 4);
    io.err.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${pct}% ${done}/${total}${done >= total ? '\n' : ''}`);
  };
}

/** A bad persona, grid or scenario id read from the flags is the caller's mistake: a usage error. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function loadScenario(id: string): Scenario {
  try {
    return shippedScenario(id);
  } catch (err) {
    throw new UsageError(`no scenario "${id}" (${err instanceof Error ? err.message : String(err)})`);
  }
}

type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false }>>['values'];

/** What every mode of the command reads from its flags, checked against the scenario. */
interface Setup {
  scenario: Scenario;
  optionalSeats: string[];
  seed: string;
  personas: Record<string, string>;
  inPlay: string[];
  /** Throws a usage error for a mix naming a seat left out of play. */
  outOfPlay: (choice: Record<string, string>) => void;
  out: string | null;
}

function readSetup(v: Values, io: CliIo): Setup {
  const scenario = loadScenario(v.scenario ?? 'april-2024');
  const optionalSeats = (v.optional ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const seed = v.seed ?? 'rubicon';
  const personas = asUsage(() => {
    const spec = parseMixSpec(v.personas ?? '');
    personaMix(scenario, spec);
    return spec;
  });
  const optionalIds = scenario.seats.filter((s) => s.optional).map((s) => s.id);
  const unknownOptional = optionalSeats.find((s) => !optionalIds.includes(s));
  if (unknownOptional !== undefined)
    throw new UsageError(`"${unknownOptional}" is not an optional seat of ${scenario.id}; its optional seats are ${optionalIds.join(', ') || 'none'}`);
  const inPlay = seatsInPlay(scenario, simulatedGame(scenario, seed, 0, optionalSeats).setup);
  // A persona for a seat left out of play would label a mix that never ran: say how to bring the seat in.
  const outOfPlay = (choice: Record<string, string>) => {
    const seat = Object.keys(choice).find((s) => !inPlay.includes(s) && optionalIds.includes(s));
    if (seat !== undefined) throw new UsageError(`${seat} is not in play: add --optional ${seat} to play it with a persona`);
  };
  outOfPlay(personas);
  return { scenario, optionalSeats, seed, personas, inPlay, outOfPlay, out: v.out ? resolve(io.cwd, v.out) : null };
}

/** The persona mixes to play: the one from --personas, or with --sweep every mix of the grid on top of it. */
function mixesToPlay(v: Values, setup: Setup): Record<string, string>[] {
  const { scenario, personas, inPlay } = setup;
  if (!v.sweep) {
    if (v.grid) throw new UsageError('--grid goes with --sweep');
    return [personas];
  }
  const mixes = asUsage(() => {
    const grid = v.grid ? parseGrid(v.grid) : fullGrid(scenario, inPlay);
    const all = mixesOf(grid).map((m) => ({ ...personas, ...m }));
    for (const m of all) personaMix(scenario, m);
    return all;
  });
  for (const m of mixes) setup.outOfPlay(m);
  return mixes;
}

interface Played {
  runs: { mix: Record<string, string>; label: string; games: GameRow[] }[];
  summaries: MixSummary[];
  seconds: number;
  split: ReturnType<ReturnType<typeof cpuAccount>['split']>;
  /** Worker threads the pool ran (0: inline), and the seconds it took to start them. */
  poolSize: number;
  startSeconds: number;
}

/** Plays `games` games of each mix on the worker pool, growing beats.csv in `out` as they come. */
async function playMixes(io: CliIo, setup: Setup, mixes: Record<string, string>[], games: number, workers: number): Promise<Played> {
  const { scenario, seed, optionalSeats, inPlay, out } = setup;
  const runs: Played['runs'] = [];
  const summaries: MixSummary[] = [];
  let seconds = 0;
  const playing: (number | null)[] = [];
  tuneV8ForSimulation();
  if (out) await mkdir(out, { recursive: true });
  // beats.csv grows as the games are played: a row per game × beat × seat is too much to hold for a long run.
  const beats = out ? new GrowingFile(resolve(out, 'beats.csv')) : null;
  beats?.write(BEATS_CSV_HEAD);
  const pool = await SimulationPool.start(scenario, workers);
  const cpu = cpuAccount();
  const bar = progressBar(io, games * mixes.length, `simulating ${games * mixes.length} games on ${workers || 'no'} worker${workers === 1 ? '' : 's'}`);
  try {
    for (const [k, choice] of mixes.entries()) {
      const label = mixLabel(personaMix(scenario, choice), inPlay);
      const spec = { scenarioId: scenario.id, personas: choice, seed, optionalSeats, from: 0, to: games, beatsCsvMix: beats ? label : null };
      const r = await pool.run(spec, (done) => bar(k * games + done), (lines) => beats?.write(lines));
      seconds += r.seconds;
      playing.push(...r.cpuSeconds);
      runs.push({ mix: choice, label, games: r.games });
      summaries.push(summarise(scenario, label, r.games, inPlay));
    }
  } catch (err) {
    await beats?.discard();
    throw err;
  } finally {
    await pool.close();
  }
  const split = cpu.split(playing, pool.size === 0);
  await beats?.complete();
  return { runs, summaries, seconds, split, poolSize: pool.size, startSeconds: pool.startSeconds };
}

async function exportGame(io: CliIo, scenario: Scenario, personas: Record<string, string>, seed: string, index: number, optionalSeats: string[], out: string): Promise<void> {
  const mix = personaMix(scenario, personas);
  const r = playOne(scenario, mix, seed, index, optionalSeats, true);
  const game = simulatedGame(scenario, seed, index, optionalSeats);
  const file = buildSessionFile({
    session: { sessionId: `sim-${index}`, title: `Simulated game ${index} (${mixLabel(mix, seatsInPlay(scenario, game.setup))})`.slice(0, 120), createdAt: 0, parent: null },
    game,
    log: r.log,
    exportedAt: 0,
  });
  await mkdir(out, { recursive: true });
  const path = resolve(out, `game-${index}.json`);
  await writeFile(path, JSON.stringify(file, null, 1));
  io.out.write(`game ${index}: ${r.outcome} after ${r.path.length} beats (peak rung ${r.peakRung}); session file ${path}\n`);
}

export const simulate: Command = {
  name: 'simulate',
  summary: 'play thousands of headless games with bot personas and report outcome distributions',
  usage: USAGE,
  async run(args, io) {
    const v = parseArgs({ args, options: OPTIONS, allowPositionals: false }).values;
    const setup = readSetup(v, io);
    const { scenario, inPlay, out } = setup;
    if (v['export-game'] !== undefined) {
      if (!out) throw new UsageError('--export-game needs --out DIR');
      // One game of one mix: a sweep's or a count's flags would be silently ignored, so they are refused.
      const stray = (['sweep', 'grid', 'games', 'workers'] as const).filter((k) => v[k] !== undefined);
      if (stray.length > 0) throw new UsageError(`--export-game writes one game of one mix; it does not take ${stray.map((k) => `--${k}`).join(', ')}`);
      await exportGame(io, scenario, setup.personas, setup.seed, int('export-game', v['export-game'], 0, 0), setup.optionalSeats, out);
      return 0;
    }
    const games = int('games', v.games, v.sweep ? 200 : 1000, 1);
    const workers = int('workers', v.workers, Math.min(8, availableParallelism()), 0);
    const mixes = mixesToPlay(v, setup);
    const { runs, summaries, seconds, split, poolSize, startSeconds } = await playMixes(io, setup, mixes, games, workers);
    const rate = (games * mixes.length) / Math.max(seconds, 1e-9);
    const shifts = v.sweep ? rankShifts(runs, scenario.outcomes.map((o) => o.id)) : null;
    if (shifts) io.out.write(`${formatShifts(shifts, scenario)}\n\n`);
    if (!v.sweep || mixes.length <= 3) for (const s of summaries) io.out.write(`${formatSummary(s)}\n\n`);
    else io.out.write(`${mixes.length} mixes; per-mix distributions are in the report (--out).\n`);
    const startup = poolSize > 0 ? ` (and ${startSeconds.toFixed(2)} s to start the workers)` : '';
    io.out.write(`${games * mixes.length} games in ${seconds.toFixed(2)} s${startup}: ${rate.toFixed(0)} games/s on ${workers || 'no'} worker thread${workers === 1 ? '' : 's'}\n`);
    if (split) io.out.write(`${formatCpuSplit(split, games * mixes.length, seconds, poolSize === 0)}\n`);
    if (out) {
      await writeFile(resolve(out, 'games.csv'), gamesCsv(runs.flatMap((r) => r.games.map((game) => ({ mix: r.label, game }))), inPlay));
      const command = `rubicon simulate ${args.join(' ')}`;
      await writeFile(resolve(out, 'report.html'), reportHtml({ title: `Rubicon simulation: ${scenario.title}`, command, summaries, shifts, outcomes: scenario.outcomes, gamesPerSecond: rate }));
      io.out.write(`wrote ${resolve(out, 'games.csv')}, beats.csv and report.html\n`);
    }
    return 0;
  },
};

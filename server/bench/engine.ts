/** Engine, replay, view and memory figures: the shared game core in this process, no server. */
import {
  applyEntry,
  randomChooser,
  runHeadless,
  createGame,
  initialState,
  messagesFor,
  persistGame,
  replay,
  restoreGame,
  viewFor,
  type Game,
  type GameState,
  type LogEntry,
  type PersistedGame,
  type Viewer,
} from '@rubicon/shared';
import { collectGarbage, mean, median, now, quantile, sampleMicros, type Report } from './stats.ts';
import { benchGame, benchScenario, Driver, endlessLog, kindOf, OPTIONAL_SEATS, playWholeGame, Rng, SCENARIO_ID } from './workload.ts';

const ENGINE = '1 engine';
const HEADLESS = '1b headless games';
const REPLAY = '2 replay';
const VIEWS = '3 views';
const MEMORY = '4 memory';

function applyAll(game: Game, log: readonly LogEntry[]): GameState {
  let state = initialState(game);
  for (const entry of log) {
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`entry ${entry.seq} refused: ${r.refusal.code}`);
    state = r.state;
  }
  return state;
}

/** 1. Commands per second through whole games, and the cost of one applyEntry. */
export function benchEngine(report: Report, options: { games: number; throughputMs: number; latencyMs: number }): void {
  const games = Array.from({ length: options.games }, (_, i) => playWholeGame(`bench-game-${i}`));
  const entries = games.reduce((n, g) => n + g.log.length, 0);
  const counts = { message: 0, move: 0, facilitator: 0 };
  for (const g of games) for (const e of g.log) counts[kindOf(e)]++;
  report.add(ENGINE, 'workload: whole games (START → debrief)', games.length, 'games');
  report.add(ENGINE, 'workload: events per game (mean)', entries / games.length, 'events');
  report.add(
    ENGINE,
    'workload: mix messages / moves / facilitator+timer',
    `${pct(counts.message, entries)} / ${pct(counts.move, entries)} / ${pct(counts.facilitator, entries)}`,
    '%',
  );

  // Warm up the JIT on the whole workload once.
  for (const g of games) applyAll(g.game, g.log);
  engineThroughput(report, games, entries, options.throughputMs);
  engineLatency(report, games, options.latencyMs);
  report.add(ENGINE, 'initialState (new session)', median(sampleMicros(() => initialState(games[0]!.game), { maxIterations: 2000, maxMs: 200 })), 'µs');
  report.add(
    ENGINE,
    'createGame (build the session machine)',
    median(sampleMicros(() => createGame(benchScenario(), { scenarioId: SCENARIO_ID, seed: 's', optionalSeats: OPTIONAL_SEATS }), { maxIterations: 500, maxMs: 300 })),
    'µs',
  );
}

type WholeGame = ReturnType<typeof playWholeGame>;

/** Throughput: apply every game's log from its initial state, again and again; only applyEntry is timed. */
function engineThroughput(report: Report, games: readonly WholeGame[], entries: number, throughputMs: number): void {
  let applied = 0;
  let busyMs = 0;
  let bestRound = 0;
  const deadline = now() + throughputMs;
  for (let round = 0; round < 1000 && now() < deadline; round++) {
    let roundMs = 0;
    for (const g of games) {
      let state = initialState(g.game);
      const t0 = now();
      for (const entry of g.log) {
        const r = applyEntry(g.game, state, entry);
        if (!r.ok) throw new Error(`entry ${entry.seq} refused`);
        state = r.state;
      }
      roundMs += now() - t0;
    }
    busyMs += roundMs;
    applied += entries;
    bestRound = Math.max(bestRound, (entries / roundMs) * 1000);
  }
  report.add(ENGINE, `commands applied per second (applyEntry, 1 core, ${applied} applied)`, (applied / busyMs) * 1000, 'cmd/s');
  report.add(ENGINE, `commands applied per second, best round (${entries} commands)`, bestRound, 'cmd/s');
}

/** Latency: the same, each call timed, by kind of command. */
function engineLatency(report: Report, games: readonly WholeGame[], latencyMs: number): void {
  const all: number[] = [];
  const byKind: Record<'message' | 'move' | 'facilitator', number[]> = { message: [], move: [], facilitator: [] };
  const latencyDeadline = now() + latencyMs;
  for (let round = 0; round < 1000 && now() < latencyDeadline; round++) {
    for (const g of games) {
      let state = initialState(g.game);
      for (const entry of g.log) {
        const t0 = now();
        const r = applyEntry(g.game, state, entry);
        const us = (now() - t0) * 1000;
        if (!r.ok) throw new Error(`entry ${entry.seq} refused`);
        state = r.state;
        all.push(us);
        byKind[kindOf(entry)].push(us);
      }
    }
  }
  report.add(ENGINE, 'applyEntry p50', quantile(all, 0.5), 'µs');
  report.add(ENGINE, 'applyEntry p99', quantile(all, 0.99), 'µs');
  report.add(ENGINE, 'applyEntry p50 / p99 · SEND_MESSAGE', `${fmt(quantile(byKind.message, 0.5))} / ${fmt(quantile(byKind.message, 0.99))}`, 'µs');
  report.add(ENGINE, 'applyEntry p50 / p99 · SUBMIT_MOVE', `${fmt(quantile(byKind.move, 0.5))} / ${fmt(quantile(byKind.move, 0.99))}`, 'µs');
  report.add(ENGINE, 'applyEntry p50 / p99 · facilitator & timer', `${fmt(quantile(byKind.facilitator, 0.5))} / ${fmt(quantile(byKind.facilitator, 0.99))}`, 'µs');
}

/** 2. Rebuilding a long session: from zero, and from a snapshot plus the tail of the log. */
export function benchReplay(report: Report, options: { events: number; tail: number; runs: number }): { game: Game; log: LogEntry[] } {
  const { game, log } = endlessLog('bench-replay', options.events);
  const messages = log.filter((e) => e.command.type === 'SEND_MESSAGE').length;
  report.add(REPLAY, 'log: events (games played to the outcome, rewound, replayed)', log.length, 'events');
  report.add(REPLAY, 'log: of which messages', messages, 'events');
  report.add(REPLAY, 'log: size as JSON', JSON.stringify(log).length / 1024, 'KB');

  const full: number[] = [];
  let final: GameState | null = null;
  for (let i = 0; i < options.runs; i++) {
    const t0 = now();
    final = replay(game, log);
    full.push(now() - t0);
  }
  report.add(REPLAY, `replay ${log.length} events from zero (median of ${options.runs})`, median(full), 'ms');
  report.add(REPLAY, `replay ${log.length} events from zero (best)`, Math.min(...full), 'ms');
  report.add(REPLAY, 'replay from zero: per event', (median(full) * 1000) / log.length, 'µs');

  const cut = log.length - options.tail;
  const snapshotState = replay(game, log.slice(0, cut));
  const snapshotJson = JSON.stringify(persistGame(game, snapshotState));
  report.add(REPLAY, `snapshot at event ${cut}: size as JSON`, snapshotJson.length / 1024, 'KB');
  const tail = log.slice(cut);
  const restoreRuns: number[] = [];
  const restoreOnly: number[] = [];
  let restored: GameState | null = null;
  for (let i = 0; i < options.runs * 4; i++) {
    const t0 = now();
    const persisted = JSON.parse(snapshotJson) as PersistedGame;
    const from = restoreGame(game, persisted);
    const t1 = now();
    restored = replay(game, tail, from);
    const t2 = now();
    restoreRuns.push(t2 - t0);
    restoreOnly.push(t1 - t0);
  }
  report.add(REPLAY, `restore snapshot + replay last ${options.tail} (median)`, median(restoreRuns), 'ms');
  report.add(REPLAY, '  of which JSON.parse + restoreGame', median(restoreOnly), 'ms');
  const same = final && restored && JSON.stringify(persistGame(game, final)) === JSON.stringify(persistGame(game, restored));
  report.add(REPLAY, 'restored state equals full replay', same ? 'yes' : 'NO', '');
  return { game, log };
}

/** 3. What a view costs to build and to send, in a session with many messages. */
export function benchViews(report: Report, source: { game: Game; log: LogEntry[] }, options: { messages: number; maxMs: number }): void {
  const { game } = source;
  // Replay the long log up to a planning phase with nearly the wanted number of messages, then top up.
  const driver = new Driver(game, new Rng('bench-views'), false);
  for (const entry of source.log) {
    if (driver.state.messages.length >= options.messages - 50 && driver.phase === 'planning') break;
    const r = applyEntry(game, driver.state, entry);
    if (!r.ok) throw new Error('view setup: log does not apply');
    driver.state = r.state;
    driver.now = entry.at;
  }
  while (driver.state.messages.length < options.messages) driver.apply(driver.seatMessage());
  const state = driver.state;
  const ctx = state.turn.context;
  report.add(
    VIEWS,
    'session: messages / resolutions / ledger / phase',
    `${state.messages.length} / ${ctx.resolutions.length} / ${ctx.ledger.length} / ${driver.phase}`,
    '',
  );

  const viewers: [string, Viewer][] = [
    ['seat (iran)', { kind: 'seat', seat: 'iran' }],
    ['facilitator', { kind: 'facilitator' }],
    ['observer', { kind: 'observer' }],
  ];
  for (const [, viewer] of viewers) for (let i = 0; i < 50; i++) viewFor(game, state, viewer);
  for (const [label, viewer] of viewers) {
    const samples = sampleMicros(() => viewFor(game, state, viewer), { maxIterations: 5000, maxMs: options.maxMs });
    report.add(VIEWS, `viewFor ${label} p50 / p99`, `${fmt(quantile(samples, 0.5))} / ${fmt(quantile(samples, 0.99))}`, 'µs');
  }
  for (const [label, viewer] of viewers) {
    const view = viewFor(game, state, viewer);
    report.add(VIEWS, `view size as JSON · ${label} (${messagesFor(game, state, viewer).length} msgs visible)`, JSON.stringify(view).length / 1024, 'KB');
  }
  for (const [label, viewer] of viewers) {
    const hello = { version: state.version, view: viewFor(game, state, viewer), messages: messagesFor(game, state, viewer), full: true };
    report.add(VIEWS, `hello/sync payload (view + all messages) · ${label}`, JSON.stringify(hello).length / 1024, 'KB');
  }
  for (const [label, viewer] of viewers) {
    const samples = sampleMicros(() => messagesFor(game, state, viewer), { maxIterations: 5000, maxMs: options.maxMs / 2 });
    report.add(VIEWS, `messagesFor ${label}, all (p50)`, median(samples), 'µs');
  }
  const since = state.version - 1;
  const incremental = sampleMicros(() => messagesFor(game, state, { kind: 'seat', seat: 'iran' }, since), { maxIterations: 5000, maxMs: options.maxMs / 2 });
  report.add(VIEWS, 'messagesFor seat, since previous version (p50; per update)', median(incremental), 'µs');
}

/** 4. Heap held per in-memory session. */
export function benchMemory(report: Report, options: { sessions: number; events: number }): void {
  const gc = collectGarbage();
  if (!gc) report.note('global.gc is not exposed (run with node --expose-gc): heap figures include uncollected garbage.');
  const n = options.sessions;
  const heap = () => {
    collectGarbage();
    return process.memoryUsage().heapUsed;
  };

  // Build (and warm) everything once outside the measurement, so lazily created shared structures are not counted.
  buildSessions(2, options.events);

  let base = heap();
  const games: Game[] = Array.from({ length: n }, (_, i) => benchGame(`mem-game-${i}`));
  const gamesBytes = heap() - base;
  report.add(MEMORY, `createGame only (its machine), per session, N=${n}`, gamesBytes / n / 1024, 'KB');
  games.length = 0;

  base = heap();
  const sessions = buildSessions(n, options.events);
  const withLog = heap() - base;
  // The server's memory store shares the message strings with the cached state, as here.
  for (const s of sessions) s.log = null;
  const cached = heap() - base;
  const msgs = mean(sessions.map((s) => s.state.messages.length));
  report.add(MEMORY, `session Game + GameState (as cached), ${options.events} events (~${msgs.toFixed(0)} msgs) each`, cached / n / 1024, 'KB');
  report.add(MEMORY, `  × ${n} sessions`, cached / 1024 ** 2, 'MB');
  report.add(MEMORY, '  + its log entries (memory store), per session', (withLog - cached) / n / 1024, 'KB');
  const first = sessions[0];
  const snapshot = first ? JSON.stringify(persistGame(first.game, first.state)).length / 1024 : Number.NaN;
  report.add(MEMORY, 'persisted snapshot of one such session, as JSON', snapshot, 'KB');
  report.add(MEMORY, 'process heapUsed after the memory run', process.memoryUsage().heapUsed / 1024 ** 2, 'MB');
}

function buildSessions(n: number, events: number): { game: Game; state: GameState; log: LogEntry[] | null }[] {
  const sessions: { game: Game; state: GameState; log: LogEntry[] | null }[] = [];
  for (let i = 0; i < n; i++) {
    const seed = `mem-${i}`;
    const driver = new Driver(benchGame(seed), new Rng(seed));
    for (let k = 0; k < events && driver.step('game'); k++);
    sessions.push({ game: driver.game, state: driver.state, log: driver.log });
  }
  return sessions;
}

function pct(n: number, total: number): string {
  return ((100 * n) / total).toFixed(0);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** 1b. Whole games through the headless runner (the loop the sensitivity report and simulations use). */
export function benchHeadless(report: Report, options: { games: number; maxMs: number }): void {
  const scenario = benchScenario();
  const seats = { optionalSeats: ['hezbollah', 'jordan', 'eu'] };
  for (let i = 0; i < 20; i++) runHeadless(createGame(scenario, { scenarioId: SCENARIO_ID, seed: `warm-${i}`, ...seats }), { choose: randomChooser, keepLog: false });
  let games = 0;
  let events = 0;
  const t0 = now();
  while (games < options.games && now() - t0 < options.maxMs) {
    const game = createGame(scenario, { scenarioId: SCENARIO_ID, seed: games, ...seats });
    events += runHeadless(game, { choose: randomChooser, keepLog: false }).state.version;
    games++;
  }
  const ms = now() - t0;
  report.add(HEADLESS, `runHeadless, random choosers, all seven seats (${games} games, 1 core)`, (games / ms) * 1000, 'games/s');
  report.add(HEADLESS, 'events per game (mean)', events / games, 'events');
}

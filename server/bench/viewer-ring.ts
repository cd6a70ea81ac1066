/**
 * The viewer streams' ring on a batch-heavy path, alone: a session of seven viewers takes batches of public
 * messages as Redis batches them (up to APPEND_BATCH_MAX, 128), each entry followed for every viewer and then
 * each acknowledged at its own state, as the command path does. After the first batch the ring has grown to
 * hold a batch, so following each event misses once on the state after it (newer than any remembered).
 * Prints the wall time per event of the streams' part (the log is applied before it); for instruction counts run
 * it under `valgrind --tool=callgrind`.
 *
 *   node --import tsx server/bench/viewer-ring.ts [module] (default: server/src/session/viewer-streams.ts)
 *   env: VIEWER_RING_BATCHES (40, counted), VIEWER_RING_WARMUP (20 batches before them, so that V8 has compiled
 *   the streams' code: unwarmed, its interpreter's cost per probe of the ring dwarfs the rest), VIEWER_RING_BATCH (128), VIEWER_RING_CALLGRIND=1 (run under
 *   `valgrind --tool=callgrind --instr-atstart=no`: instrumentation is switched on with callgrind_control for the
 *   timed part alone and off after it, so the count is the streams' work, not the loading and the engine's)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyEntry, createGame, initialState, seatsInPlay, type GameState, type LogEntry, type Viewer } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';
import { viewersOf } from '../src/session/rooms.ts';
import type { ViewerStreams } from '../src/session/viewer-streams.ts';

const modulePath = path.resolve(process.argv[2] ?? 'server/src/session/viewer-streams.ts');
const { ViewerStreams: Streams } = (await import(pathToFileURL(modulePath).href)) as { ViewerStreams: new () => ViewerStreams };
const batches = Number(process.env.VIEWER_RING_BATCHES ?? 40);
const warmup = Number(process.env.VIEWER_RING_WARMUP ?? 20);
const batchLength = Number(process.env.VIEWER_RING_BATCH ?? 128);

const scenario = shippedScenario('april-2024');
const game = createGame(scenario, { scenarioId: scenario.id, seed: 'viewer-ring', optionalSeats: ['hezbollah', 'jordan', 'eu'] });
const publicChannel = scenario.channels.find((c) => c.kind === 'public');
if (!publicChannel) throw new Error('the scenario has no public channel');
const seats = seatsInPlay(scenario, game.setup).filter((s) => publicChannel.members.includes(s));
const rooms = viewersOf(seatsInPlay(scenario, game.setup)).map((viewer) => ({ viewer }));
const streams = new Streams();
let state: GameState = initialState(game);
// The log is applied first, outside the timed part: the engine's work per entry is many times the streams'.
const made: { before: GameState; after: GameState; entry: LogEntry; viewer: Viewer }[][] = [];
let seq = 0;
for (let b = 0; b < warmup + batches; b++) {
  const batch: (typeof made)[number] = [];
  for (let i = 0; i < batchLength; i++, seq++) {
    const seat = seats[seq % seats.length] ?? '';
    // A minute apart: the seats' public statement cap counts a minute.
    const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * seq, by: { kind: 'seat', seat }, commandId: `c-${seq}`, command: { type: 'SEND_MESSAGE', channel: publicChannel.id, text: `t${seq}` } };
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(r.refusal.message);
    batch.push({ before: state, after: r.state, entry, viewer: { kind: 'seat', seat } });
    state = r.state;
  }
  made.push(batch);
}
/** Callgrind's instrumentation switched on or off for this process (awaited: the control is read between syscalls). */
async function instrument(on: boolean): Promise<void> {
  if (process.env.VIEWER_RING_CALLGRIND !== '1') return;
  await new Promise<void>((resolve, reject) => execFile('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], (e) => (e ? reject(e) : resolve())));
}

let sink = 0;
/** Each batch followed event by event, then each event acknowledged at its own state, as the command path does. */
function run(into: ViewerStreams, batches: typeof made): void {
  for (const batch of batches) {
    for (const e of batch) into.followEach(game, e.before, e.after, e.entry, rooms, (_v, _s, version) => (sink += version));
    for (const e of batch) sink += into.position(game, e.after, e.viewer).version;
  }
}
// The same instance warmed: its ring has grown to hold a batch, as in a session that has been batching a while.
run(streams, made.slice(0, warmup));
await instrument(true);
const started = process.hrtime.bigint();
run(streams, made.slice(warmup));
const ns = Number(process.hrtime.bigint() - started);
await instrument(false);
console.log(JSON.stringify({ module: path.relative(process.cwd(), modulePath), events: seq - warmup * batchLength, nsPerEvent: Math.round(ns / (seq - warmup * batchLength)), sink }));

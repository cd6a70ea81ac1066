/**
 * Run by young-states.test.ts under `--allow-natives-syntax --expose-gc`: applies public messages the way a busy
 * server does, each state kept alive across the young collection that follows it (as the session's newest and the
 * remembered states are under load), and prints, as JSON, where V8 allocated the states made after that pattern had
 * had its chance to teach V8's allocation-site feedback that states outlive a scavenge.
 */
import { applyEntry, createGame, initialState, type GameState, type LogEntry } from '@rubicon/shared';
import { shippedScenario } from '@rubicon/shared/scenario-files';

type Probe = (o: unknown) => boolean;
const inYoung = new Function('o', 'return %InYoungGeneration(o)') as Probe;
const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major'; execution: 'sync' }) => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const scenario = shippedScenario('april-2024');
const channel = scenario.channels.find((c) => c.kind === 'public');
if (!channel) throw new Error('the scenario has no public channel');
const seat = channel.members[0] ?? '';
const game = createGame(scenario, { scenarioId: scenario.id, seed: 'young-states', optionalSeats: [] });

let state: GameState = initialState(game);
/** One round: `n` messages whose states all stay alive over a young collection, then are let go. */
function round(n: number): GameState[] {
  const kept: GameState[] = [];
  for (let i = 0; i < n; i++) {
    const entry: LogEntry = { seq: state.version + 1, at: 1_712_000_000_000 + 61_000 * state.version, by: { kind: 'seat', seat }, commandId: `c${state.version}`, command: { type: 'SEND_MESSAGE', channel: channel?.id ?? '', text: 'young' } };
    const r = applyEntry(game, state, entry);
    if (!r.ok) throw new Error(`refused: ${r.refusal.code}`);
    state = r.state;
    kept.push(state);
  }
  return kept;
}

// The statement cap counts a seat's messages of the last minute: the times above are 61 s apart. Sixty rounds, not a
// few: Node 20's V8 acts on a tenure decision only in optimised code, so applyEntry must have tiered up (12 rounds
// left every state young on a9eb7f9, 60 put all of them in the old generation, on Node 20 and 24 alike).
const young: boolean[] = [];
for (let r = 0; r < 60; r++) {
  const kept = round(150);
  gc({ type: 'minor', execution: 'sync' });
  if (r >= 50) young.push(...kept.slice(-20).map(inYoung));
  kept.length = 0;
  gc({ type: 'minor', execution: 'sync' });
}
const fresh = round(50);
process.stdout.write(JSON.stringify({ freshYoung: fresh.filter(inYoung).length, fresh: fresh.length, laterRoundsYoung: young.filter(Boolean).length, laterRounds: young.length }));

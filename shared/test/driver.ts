import { applyEntry, createGame, initialState, phaseOf, type ApplyResult, type Game, type GameSetupInput, type GameState } from '../src/game/game.ts';
import type { Actor, Command, LogEntry } from '../src/game/commands.ts';
import { loadScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';

export const T0 = 1_712_000_000_000;

/** Drives a game the way the server does: stamps, applies and logs commands. */
export class Driver {
  readonly game: Game;
  state: GameState;
  readonly log: LogEntry[] = [];
  now = T0;

  constructor(scenario: ScenarioInput, setup: Partial<GameSetupInput> = {}) {
    const s = loadScenario(scenario);
    this.game = createGame(s, { scenarioId: s.id, seed: 'test-seed', ...setup });
    this.state = initialState(this.game);
  }

  send(by: Actor, command: Command, at = this.now): ApplyResult {
    const entry: LogEntry = { seq: this.state.version + 1, at, by, commandId: `c${this.state.version + 1}`, command };
    const r = applyEntry(this.game, this.state, entry);
    if (r.ok) {
      this.state = r.state;
      this.log.push(entry);
    }
    return r;
  }

  /** Sends and fails the test with the refusal if it is refused. */
  must(by: Actor, command: Command, at = this.now): GameState {
    const r = this.send(by, command, at);
    if (!r.ok) throw new Error(`${command.type} refused: ${r.refusal.code}: ${r.refusal.message}`);
    return r.state;
  }

  fac(command: Command): GameState {
    return this.must({ kind: 'facilitator' }, command);
  }

  seat(seat: string, command: Command): GameState {
    return this.must({ kind: 'seat', seat }, command);
  }

  get phase() {
    return phaseOf(this.state.turn);
  }

  get ctx() {
    return this.state.turn.context;
  }
}

/** A game of `scenario` started and advanced into its first beat's planning, as most view tests begin. */
export function inFirstPlanning(scenario: ScenarioInput, setup: Partial<GameSetupInput> = { seed: 3 }): Driver {
  const d = new Driver(scenario, setup);
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  return d;
}

export const facilitator: Actor = { kind: 'facilitator' };
export const system: Actor = { kind: 'system' };
export const seat = (id: string): Actor => ({ kind: 'seat', seat: id });

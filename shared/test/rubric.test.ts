import { describe, expect, it } from 'vitest';
import { formatPath, loadScenario, ScenarioError } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkCommand, persistGame, replay, restoreGame } from '../src/game/game.ts';
import { viewFor } from '../src/game/view.ts';
import type { Command } from '../src/game/commands.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { Driver, facilitator, seat } from './driver.ts';

const scored: ScenarioInput = {
  ...mini,
  rubric: {
    scale: [
      { score: 0, label: 'No' },
      { score: 1, label: 'Partly' },
      { score: 2, label: 'Yes' },
    ],
    criteria: [
      { id: 'signalling', title: 'Signalled through Grey', description: 'Used the mediated channel.', seats: ['red', 'blue'] },
      { id: 'rationale', title: 'Rationale quality', description: 'Memos that hold together.' },
    ],
  },
};

function problemsOf(input: ScenarioInput): string[] {
  try {
    loadScenario(input);
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    throw err;
  }
}

const score = (s: string, criterion: string, value: number | null, note?: string): Command => ({
  type: 'SCORE_TEAM',
  seat: s,
  criterion,
  score: value,
  ...(note ? { note } : {}),
});

function started(): Driver {
  const d = new Driver(scored, { seed: 7 });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  return d;
}

/** Plays the mini scenario to its outcome with the first move of every acting seat. */
function toOutcome(d: Driver): void {
  while (d.phase !== 'outcome') {
    if (d.phase === 'adjudication') d.fac({ type: 'ACCEPT_ADJUDICATION' });
    else d.fac({ type: 'ADVANCE' });
  }
}

describe('the rubric in a scenario file', () => {
  it('loads, and is checked for a climbing scale, unique ids and real seats', () => {
    expect(problemsOf(scored)).toEqual([]);
    const bad = structuredClone(scored);
    bad.rubric!.scale = [
      { score: 2, label: 'High' },
      { score: 1, label: 'Low' },
    ];
    bad.rubric!.criteria.push({ id: 'rationale', title: 'Again', description: 'x', seats: ['purple'] });
    expect(problemsOf(bad)).toEqual([
      'rubric.scale[1].score: scores must climb: 1 follows 2',
      'rubric.criteria[2].id: duplicate criterion "rationale"',
      'rubric.criteria[2].seats[0]: unknown seat "purple"',
    ]);
  });
});

describe('SCORE_TEAM legality (one function: the refusal and the log agree)', () => {
  it('refuses anyone but the white cell, before the game, and anything the rubric does not hold', () => {
    const lobby = new Driver(scored, { seed: 7 });
    expect(lobby.send(facilitator, score('red', 'rationale', 2))).toMatchObject({ ok: false, refusal: { code: 'wrong_phase' } });

    const d = started();
    const refusals: [Command, string, RegExp][] = [
      [score('red', 'rationale', 2), 'forbidden', /Only the white cell/],
      [score('red', 'nope', 2), 'invalid', /no criterion "nope"/],
      [score('grey', 'signalling', 2), 'invalid', /not scored for grey/],
      [score('green', 'rationale', 2), 'invalid', /not a seat in play/],
      [score('red', 'rationale', 3), 'invalid', /not on the scale \(0, 1, 2\)/],
      [score('red', 'rationale', null), 'invalid', /no score to withdraw/],
    ];
    refusals.forEach(([command, code, message], i) => {
      const by = i === 0 ? seat('red') : facilitator;
      const before = d.state;
      const r = d.send(by, command);
      expect(r.ok, JSON.stringify(command)).toBe(false);
      if (!r.ok) {
        expect(r.refusal.code).toBe(code);
        expect(r.refusal.message).toMatch(message);
      }
      expect(checkCommand(d.game, before, by, command, d.now)).toEqual(r.ok ? null : r.refusal);
      expect(d.state).toBe(before);
    });
  });

  it('a scenario without a rubric refuses every score', () => {
    const d = new Driver(mini, { seed: 7 });
    d.fac({ type: 'START' });
    expect(d.send(facilitator, score('red', 'rationale', 1))).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
  });
});

describe('recording scores', () => {
  keptScoreCases();
  persistedScoreCases();
});

/** The latest score kept beside the game, commuting with it, and scores after the outcome. */
function keptScoreCases(): void {
  it('keeps the latest score per seat and criterion, beside the game: no game version, no turn change', () => {
    const d = started();
    const before = d.state;
    d.fac(score('red', 'rationale', 1, 'thin first memo'));
    expect(d.state.gameVersion).toBe(before.gameVersion);
    expect(d.state.turn).toBe(before.turn);
    d.fac(score('red', 'rationale', 2));
    d.fac(score('blue', 'signalling', 0));
    expect(d.state.scores.red?.rationale).toMatchObject({ score: 2, note: null, beat: 'first', afterOutcome: false, version: d.state.version - 1 });
    d.fac(score('blue', 'signalling', null));
    expect(d.state.scores.blue).toEqual({});
  });

  it('a game command made on the view before a score is not stale: scores commute with the game', () => {
    const d = started();
    const expected = d.state.gameVersion;
    d.fac(score('red', 'rationale', 1));
    expect(d.state.gameVersion).toBe(expected);
  });

  it('scores after the outcome and after the debrief, marked as after-action scores; a rewind keeps them', () => {
    const d = started();
    d.fac(score('red', 'rationale', 1));
    toOutcome(d);
    d.fac(score('blue', 'rationale', 2, 'scored at the outcome'));
    d.fac({ type: 'ADVANCE' });
    expect(d.phase).toBe('debrief');
    d.fac(score('grey', 'rationale', 0, 'scored in the debrief'));
    expect(d.state.scores.grey?.rationale).toMatchObject({ score: 0, beat: null, afterOutcome: true });
    expect(d.state.scores.blue?.rationale).toMatchObject({ afterOutcome: true });

    const r = started();
    r.fac(score('red', 'rationale', 2));
    toOutcome(r);
    r.fac({ type: 'REWIND', beat: 'first' });
    expect(r.state.scores.red?.rationale?.score).toBe(2);
  });
}

/** Scores through replay, persistence and restore; the white cell alone sees them. */
function persistedScoreCases(): void {
  it('replays, persists and restores to the same scores', () => {
    const d = started();
    d.fac(score('red', 'signalling', 2, 'clear offer via Grey'));
    toOutcome(d);
    d.fac(score('blue', 'rationale', 1));
    expect(replay(d.game, d.log).scores).toEqual(d.state.scores);
    const restored = restoreGame(d.game, JSON.parse(JSON.stringify(persistGame(d.game, d.state))));
    expect(restored.scores).toEqual(d.state.scores);
  });

  it('only the white cell sees the rubric and the scores in its view', () => {
    const d = started();
    d.fac(score('red', 'rationale', 2));
    const white = viewFor(d.game, d.state, { kind: 'facilitator' });
    expect(white.rubric?.scores).toEqual([expect.objectContaining({ seat: 'red', criterion: 'rationale', score: 2 })]);
    expect(white.rubric?.seats).toEqual([
      { seat: 'red', criteria: ['signalling', 'rationale'] },
      { seat: 'blue', criteria: ['signalling', 'rationale'] },
      { seat: 'grey', criteria: ['rationale'] },
    ]);
    expect(viewFor(d.game, d.state, { kind: 'seat', seat: 'red' }).rubric).toBeNull();
    expect(viewFor(d.game, d.state, { kind: 'observer' }).rubric).toBeNull();
  });
}

import { describe, expect, it } from 'vitest';
import { shippedScenario } from '../node/scenario-files.ts';
import { GameCommand } from '../src/game/commands.ts';
import { replay } from '../src/game/game.ts';
import { viewFor } from '../src/game/view.ts';
import { conditionHolds } from '../src/game/world.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { alsoProblem } from '../src/scenario/also.ts';
import type { Scenario, ScenarioInput } from '../src/scenario/schema.ts';
import { buildReport } from '../src/replay/report.ts';
import { buildSessionFile } from '../src/replay/session-file.ts';
import { Driver, seat } from './driver.ts';

/**
 * "Also do": beside its main move a seat may take moves of the menu marked
 * `also` (at most the actor's `maxAlso`). One legality function refuses the
 * rest with a typed error; the adjudication applies and narrates each; a
 * `chose` condition reads them; a log without them plays as before.
 */

const s: Scenario = shippedScenario('april-2024');
const iranOpening = s.beats[0]!.actors.find((a) => a.seat === 'iran')!;

function atFirstBeat(): Driver {
  const d = new Driver(s as ScenarioInput, { seed: 'also' });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  return d;
}

function lockAll(d: Driver, iran: { move: string; also?: string[] } | null): void {
  for (const a of s.beats[0]!.actors) {
    if (a.seat === 'iran' && iran) d.seat('iran', { type: 'SUBMIT_MOVE', ...iran, rationale: '', lock: true });
    else if (a.seat !== 'iran') d.seat(a.seat, { type: 'SUBMIT_MOVE', move: a.defaultMove, rationale: '', lock: true });
  }
}

describe('also do: legality', () => {
  it('the opening menu has also moves and a main move that is not one', () => {
    expect(iranOpening.moves.filter((m) => m.also).map((m) => m.id)).toEqual(['condemn-at-un', 'blame-washington']);
    expect(iranOpening.maxAlso).toBe(2);
  });

  it.each([
    [['no-such-move'], 'unknown_move', /not one of iran's moves/],
    [['quiet-mourning'], 'invalid', /only be taken as the main move/],
    [['condemn-at-un', 'condemn-at-un'], 'invalid', /listed twice/],
  ])('refuses %j beside vow-punishment with %s, and changes nothing', (also, code, message) => {
    const d = atFirstBeat();
    const before = d.state;
    const r = d.send(seat('iran'), { type: 'SUBMIT_MOVE', move: 'vow-punishment', also, rationale: '', lock: false });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.refusal.code).toBe(code);
      expect(r.refusal.message).toMatch(message);
    }
    expect(d.state).toBe(before);
  });

  it('refuses the main move listed beside itself, and more than the actor allows', () => {
    const d = atFirstBeat();
    const self = d.send(seat('iran'), { type: 'SUBMIT_MOVE', move: 'condemn-at-un', also: ['condemn-at-un'], rationale: '', lock: false });
    expect(!self.ok && self.refusal.code).toBe('invalid');
    expect(alsoProblem({ ...iranOpening, maxAlso: 1 }, 'vow-punishment', ['condemn-at-un', 'blame-washington'])).toEqual({
      code: 'invalid',
      message: 'At most 1 other move may go beside the main one in this beat.',
    });
  });

  it('the same function refuses a historical path that takes more than the actor allows', () => {
    const capped = {
      ...(s as ScenarioInput),
      beats: s.beats.map((b, i) => (i === 0 ? { ...b, actors: b.actors.map((a) => (a.seat === 'iran' ? { ...a, maxAlso: 1 } : a)) } : b)),
    };
    expect(() => loadScenario(capped)).toThrow(/consulate-strike\/iran: At most 1 other move/);
  });

  it('the wire schema bounds the list', () => {
    const many = ['a', 'b', 'c', 'd', 'e'];
    expect(GameCommand.safeParse({ type: 'SUBMIT_MOVE', move: 'x', also: many, rationale: '', lock: true }).success).toBe(false);
    expect(GameCommand.safeParse({ type: 'SUBMIT_MOVE', move: 'x', also: ['Not A Slug'], rationale: '', lock: true }).success).toBe(false);
  });
});

describe('also do: adjudication', () => {
  it('applies and narrates each also move beside the main one, and a chose condition reads it', () => {
    const d = atFirstBeat();
    lockAll(d, { move: 'vow-punishment', also: ['condemn-at-un', 'blame-washington'] });
    const p = d.ctx.proposal!;
    const iran = p.choices.find((c) => c.seat === 'iran')!;
    expect([iran.move, iran.also]).toEqual(['vow-punishment', ['condemn-at-un', 'blame-washington']]);
    const causes = p.changes.filter((c) => c.cause.kind === 'move' && c.cause.seat === 'iran').map((c) => (c.cause.kind === 'move' ? c.cause.move : ''));
    expect(new Set(causes)).toEqual(new Set(['vow-punishment', 'condemn-at-un', 'blame-washington']));
    const told = p.narrative.filter((n) => n.seat === 'iran').map((n) => n.text);
    expect(told).toEqual(['vow-punishment', 'condemn-at-un', 'blame-washington'].map((id) => iranOpening.moves.find((m) => m.id === id)!.outcomeText));
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    const w = d.ctx.world;
    expect(conditionHolds(w, { chose: { seat: 'iran', move: 'blame-washington' } })).toBe(true);
    expect(conditionHolds(w, { chose: { seat: 'iran', move: 'quiet-mourning' } })).toBe(false);
    // Every seat sees a public also move in the resolution.
    const seen = viewFor(d.game, d.state, { kind: 'seat', seat: 'israel' }).resolutions[0]!.choices.find((c) => c.seat === 'iran');
    expect(seen?.also.map((x) => x.move)).toEqual(['condemn-at-un', 'blame-washington']);
  });

  it('a seat that does not decide gets its default and nothing beside it', () => {
    const d = atFirstBeat();
    lockAll(d, null);
    d.fac({ type: 'ADVANCE' });
    const iran = d.ctx.proposal!.choices.find((c) => c.seat === 'iran')!;
    expect(iran).toMatchObject({ move: iranOpening.defaultMove, defaulted: true });
    expect('also' in iran).toBe(false);
  });

  it('a log without also moves records none and replays to the same state (old logs verify as before)', () => {
    const d = atFirstBeat();
    lockAll(d, { move: 'vow-punishment' });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    expect(d.ctx.world.choices.some((c) => 'also' in c)).toBe(false);
    expect(d.ctx.resolutions[0]!.choices.some((c) => 'also' in c)).toBe(false);
    const again = replay(d.game, d.log);
    expect(again.turn.context).toEqual(d.ctx);
  });
});

describe('also do: history and the debrief', () => {
  it('history records several moves per seat per beat, and the report lists every one beside the session', () => {
    const steps = s.historicalPath.filter((h) => h.also.length > 0).map((h) => `${h.beat}/${h.seat}`);
    expect(steps.length).toBeGreaterThanOrEqual(6);
    const d = atFirstBeat();
    lockAll(d, { move: 'vow-punishment', also: ['condemn-at-un'] });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    const file = buildSessionFile({ session: { sessionId: 'S1', title: 'Also', createdAt: 0, parent: null }, game: d.game, log: d.log, exportedAt: 1 });
    const report = buildReport(file, d.game, d.log);
    const iran = report.historical.steps.find((x) => x.beat === 'consulate-strike' && x.seat === 'iran')!;
    expect(iran).toMatchObject({
      historical: 'Vow to punish Israel',
      historicalAlso: ['Condemn and go to the UN', 'Hold Washington responsible'],
      session: 'Vow to punish Israel',
      sessionAlso: ['Condemn and go to the UN'],
      same: true,
    });
  });

  it('the outcome view shows every historical move and the historical draw', () => {
    const d = atFirstBeat();
    d.fac({ type: 'END_GAME', outcome: 'contained-exchange', reason: 'time' });
    const o = viewFor(d.game, d.state, { kind: 'seat', seat: 'iran' }).outcome!;
    const first = o.historical.path.find((x) => x.beat === 'consulate-strike' && x.seat === 'iran')!;
    expect(first.also.map((x) => x.title)).toEqual(['Condemn and go to the UN', 'Hold Washington responsible']);
    expect(o.historical.draws).toContainEqual(expect.objectContaining({ draw: 'interception', option: 'near-total' }));
  });
});

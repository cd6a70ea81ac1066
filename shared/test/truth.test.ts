import { describe, expect, it } from 'vitest';
import { checkScenario } from '../src/scenario/load.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { formatPath } from '../src/scenario/load.ts';
import { viewFor } from '../src/game/view.ts';
import { explainBranch } from '../src/game/branch-causes.ts';
import { Driver } from './driver.ts';
import { mini } from './fixtures/mini-scenario.ts';

/**
 * Text variants and declared facts, on a variant of the mini scenario: Red's
 * strike sets a fact, the ladder's rungs and the outcomes assert facts, and
 * texts change with the world.
 */
function truthful(): ScenarioInput {
  const s = structuredClone(mini) as ScenarioInput & Record<string, unknown>;
  s.facts = [
    { id: 'red-struck', says: 'Red has struck Blue.', when: { flag: 'red-struck' } },
    { id: 'no-strike', says: 'No one has struck.', when: { not: { flag: 'red-struck' } } },
    { id: 'blue-warned', says: 'Blue has warned in public.', when: { flag: 'warned' } },
  ];
  s.ladder = {
    initial: 1,
    rungs: [
      { level: 0, name: 'Calm', description: 'Nothing happens.', facts: ['no-strike'] },
      { level: 1, name: 'Tension', description: 'Words fly.', facts: ['no-strike'] },
      { level: 2, name: 'Clash', description: 'Shots fired.', facts: ['red-struck'] },
      { level: 3, name: 'War', description: 'Open war after a warning.', facts: ['red-struck', 'blue-warned'] },
    ],
  };
  const first = s.beats[0]!;
  const strike = first.actors[0]!.moves[0]!;
  // The strike no longer steps the ladder itself: its fact lifts it.
  strike.effects = [
    { kind: 'flag', flag: 'red-struck', set: true },
    { kind: 'measure', seat: 'blue', measure: 'casualties', delta: 10 },
  ];
  strike.outcomeVariants = [{ when: { chose: { seat: 'blue', move: 'warn' } }, text: 'Red strikes a Blue that saw it coming.' }];
  const second = s.beats[1]!;
  second.situationVariants = [{ when: { flag: 'warned' }, text: 'Blue answers, having warned Red in public.' }];
  second.briefingVariants = { blue: [{ when: { drew: { draw: 'luck', option: 'hit' } }, text: 'The strike hit hard.' }] };
  s.outcomes = [
    { id: 'calm', title: 'Calm', description: 'Nothing came of it.', facts: ['no-strike'] },
    {
      id: 'contained',
      title: 'Contained',
      description: 'One blow each.',
      descriptionVariants: [{ when: { flag: 'warned' }, text: 'One blow each, after a warning.' }],
      facts: ['red-struck'],
      historical: true,
    },
    { id: 'war', title: 'War', description: 'It spiralled.' },
  ];
  // An unguarded step to "calm" first: its facts alone keep it shut once Red has struck.
  second.next = [{ outcome: 'calm' }, ...second.next];
  return s;
}

function play(picks: { red: string; blue: string; second?: string }, seed = 1): Driver {
  const d = new Driver(truthful(), { seed });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  d.seat('red', { type: 'SUBMIT_MOVE', move: picks.red, rationale: '', lock: true });
  d.seat('blue', { type: 'SUBMIT_MOVE', move: picks.blue, rationale: '', lock: true });
  d.fac({ type: 'ACCEPT_ADJUDICATION' });
  return d;
}

describe('declared facts: the ladder', () => {
  it('lifts the ladder onto the rung a fact demands, with the cause of the change', () => {
    const d = play({ red: 'strike', blue: 'brace' });
    expect(d.ctx.world.ladder).toBe(2);
    const lift = d.ctx.ledger.find((c) => c.target.kind === 'ladder');
    expect(lift).toMatchObject({ from: 1, to: 2, cause: { kind: 'move', seat: 'red', move: 'strike' } });
  });

  it('stops a ladder step on the highest rung whose facts hold', () => {
    for (let seed = 0; seed < 16; seed++) {
      const d = play({ red: 'strike', blue: 'brace' }, seed);
      // The draw's "hit" steps up once more, but rung 3 asserts a warning that never came.
      expect(d.ctx.world.ladder, `seed ${seed}`).toBe(2);
    }
    const warned = [...Array(16).keys()].map((seed) => play({ red: 'strike', blue: 'warn' }, seed));
    expect(warned.some((d) => d.ctx.world.draws.luck === 'hit' && d.ctx.world.ladder === 3)).toBe(true);
  });

  it('keeps the facilitator’s overrides on rungs whose facts hold too', () => {
    const d = new Driver(truthful(), { seed: 1 });
    d.fac({ type: 'START' });
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'ladder', delta: 2 }], reason: 'test' });
    expect(d.ctx.world.ladder).toBe(1);
  });
});

describe('declared facts: outcomes', () => {
  it('takes a step to an outcome only while the outcome’s facts hold', () => {
    const d = play({ red: 'strike', blue: 'brace' });
    d.fac({ type: 'ADVANCE' });
    expect(d.ctx.beat).toBe('second');
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'absorb', rationale: '', lock: true });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    const why = explainBranch(d.game.scenario, 'second', d.ctx.world, d.ctx.ledger);
    expect(why.passedOver[0]).toEqual({
      to: { kind: 'outcome', id: 'calm', title: 'Calm' },
      unmet: ['the outcome asserts “No one has struck.”, which was not the case'],
    });
    expect(why.because).toContain('Red has struck Blue.');
    d.fac({ type: 'ADVANCE' });
    expect(d.ctx.outcome?.outcome).toBe('contained');
  });
});

describe('text variants', () => {
  it('chooses a beat’s situation and briefings when it opens, and keeps them', () => {
    const d = play({ red: 'strike', blue: 'warn' });
    d.fac({ type: 'ADVANCE' });
    const hit = d.ctx.world.draws.luck === 'hit';
    expect(d.ctx.beatTexts).toEqual({ situation: 0, briefings: { blue: hit ? 0 : -1 } });
    const blue = viewFor(d.game, d.state, { kind: 'seat', seat: 'blue' });
    expect(blue.beat?.situation).toBe('Blue answers, having warned Red in public.');
    expect(blue.briefing).toBe(hit ? 'The strike hit hard.' : 'Blue must answer.');
    expect(d.ctx.checkpoints.at(-1)?.texts).toEqual(d.ctx.beatTexts);
  });

  it('shows the base texts when no variant’s condition holds', () => {
    const d = play({ red: 'strike', blue: 'brace' });
    d.fac({ type: 'ADVANCE' });
    const blue = viewFor(d.game, d.state, { kind: 'seat', seat: 'blue' });
    expect(blue.beat?.situation).toBe('Blue answers.');
  });

  it('chooses a move’s outcome text against the picture the rules read', () => {
    const warned = play({ red: 'strike', blue: 'warn' });
    const line = warned.ctx.resolutions[0]?.narrative.find((n) => n.cause.kind === 'move' && n.cause.seat === 'red');
    expect(line).toMatchObject({ text: 'Red strikes a Blue that saw it coming.', variant: 0 });
    const plain = play({ red: 'strike', blue: 'brace' });
    expect(plain.ctx.resolutions[0]?.narrative.find((n) => n.cause.kind === 'move' && n.cause.seat === 'red')).toMatchObject({
      text: 'Red strikes.',
      variant: -1,
    });
  });

  it('records the outcome’s description when the game ends, for every viewer', () => {
    const d = play({ red: 'strike', blue: 'warn' });
    d.fac({ type: 'ADVANCE' });
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'absorb', rationale: '', lock: true });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
    if (d.ctx.outcome?.outcome !== 'contained') return; // a "hit" draw on a warned Blue ends in war on rung 3
    expect(d.ctx.outcome.variant).toBe(0);
    expect(viewFor(d.game, d.state, { kind: 'observer' }).outcome?.description).toBe('One blow each, after a warning.');
  });
});

/** The loader's problems with the truthful mini scenario after an edit, each as `path: message`. */
const problems = (edit: (s: ScenarioInput & Record<string, unknown>) => void) => {
  const s = truthful() as ScenarioInput & Record<string, unknown>;
  edit(s);
  const r = checkScenario(s);
  return r.ok ? [] : r.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
};

describe('the loader checks declared facts and variants', () => {
  it('accepts the truthful mini scenario', () => {
    expect(problems(() => undefined)).toEqual([]);
  });

  it('refuses an unknown fact id, at its path', () => {
    expect(problems((s) => (s.outcomes[0]!.facts = ['nope']))).toEqual([
      'outcomes[0].facts[0]: unknown fact "nope" (facts: red-struck, no-strike, blue-warned)',
    ]);
  });

  it('refuses rung facts that read anything but flags and measures', () => {
    expect(
      problems((s) => {
        (s.facts as unknown[]).push({ id: 'high', says: 'High.', when: { ladder: { gte: 2 } } });
        s.ladder.rungs[3]!.facts = ['high'];
      }),
    ).toEqual([expect.stringMatching(/^ladder\.rungs\[3\]\.facts: rung 3's facts may read only flags and measures/)]);
  });

  it('refuses an opening rung whose facts do not hold', () => {
    expect(problems((s) => (s.ladder.initial = 2))).toEqual(["ladder.initial: the opening rung 2's facts do not hold in the opening world"]);
  });

  it('refuses a fact that needs a flag nothing sets', () => {
    expect(problems((s) => ((s.facts as { when: unknown }[])[2]!.when = { flag: 'never-set' }))).toEqual([
      'facts[2].when: fact blue-warned needs flag "never-set", which no effect sets',
    ]);
  });

  it('refuses a step whose condition contradicts its outcome’s facts', () => {
    expect(problems((s) => (s.beats[1]!.next[0] = { outcome: 'calm', when: { flag: 'red-struck' } }))).toEqual([
      'beats[1].next[0]: this step can never be taken: its condition contradicts a fact outcome calm asserts ({"flag":"red-struck"})',
    ]);
  });

  it('refuses a situation or briefing variant that reads its own beat’s choices or draws', () => {
    expect(
      problems((s) => {
        s.beats[0]!.situationVariants = [{ when: { chose: { seat: 'red', move: 'strike' } }, text: 'x' }];
        s.beats[0]!.briefingVariants = { red: [{ when: { drew: { draw: 'luck', option: 'hit' } }, text: 'y' }] };
      }),
    ).toEqual([
      'beats[0].situationVariants[0].when: chosen when beat first opens, so it cannot read the move "strike" of that same beat',
      'beats[0].briefingVariants.red[0].when: chosen when beat first opens, so it cannot read the draw "luck" of that same beat',
    ]);
  });

  it('refuses a briefing variant for a seat the beat does not brief, and bad references inside variants', () => {
    expect(
      problems((s) => {
        s.beats[1]!.briefingVariants = { red: [{ when: { flag: 'warned' }, text: 'x' }] };
        s.outcomes[1]!.descriptionVariants = [{ when: { chose: { seat: 'red', move: 'nope' } }, text: 'y' }];
      }),
    ).toEqual([
      'outcomes[1].descriptionVariants[0].when.chose.move: seat "red" has no move "nope"',
      'beats[1].briefingVariants.red: seat "red" has no base briefing in beat second to vary',
    ]);
  });
});

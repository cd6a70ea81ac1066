import { describe, expect, it } from 'vitest';
import { Driver, system } from './driver.ts';
import { mini } from './fixtures/mini-scenario.ts';
import type { ScenarioInput } from '../src/scenario/schema.ts';
import { checkScenario } from '../src/scenario/load.ts';
import { explainBranch } from '../src/game/branch-causes.ts';
import { replay } from '../src/game/game.ts';
import { viewFor } from '../src/game/view.ts';

/** The mini scenario with a rule that reads a real relay: Red's word counts only if Grey carries it to Blue. */
function withCarrierRule(): ScenarioInput {
  const s = structuredClone(mini);
  const first = s.beats[0]!;
  first.rules = [
    {
      id: 'carried',
      description: "Red's word counts only if Grey passes it to Blue.",
      when: { relayed: { from: 'red', to: 'blue', beat: 'first' } },
      effects: [{ kind: 'flag', flag: 'word-carried', set: true }],
      text: 'Grey carries Red’s word to Blue.',
    },
  ];
  first.next = [{ outcome: 'calm', when: { relayed: { from: 'red', to: 'blue' } } }, ...first.next];
  return s;
}

function openFirstBeat(d: Driver) {
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  expect(d.ctx.beat).toBe('first');
}

/** Red writes to Grey, and Grey passes it on to Blue: the relay withCarrierRule reads. */
function carryRedsWord(d: Driver): void {
  d.seat('red', say('A word for Blue.'));
  d.seat('grey', say('Passing it on.', { to: 'blue', relayOf: d.state.messages.at(-1)!.id }));
}

const say = (text: string, extra: { to?: string; relayOf?: string } = {}) =>
  ({ type: 'SEND_MESSAGE', channel: 'via-grey', text, ...extra }) as const;

describe('relays as facts', () => {
  adjudicationCases();
  countingCases();
  visibilityCases();
});

/** A relay reaches the adjudication: when the last seat locks in, on replay, and when the clock closes planning. */
function adjudicationCases(): void {
  it('a relay sent in planning reaches the adjudication when the last seat locks in, and the rule reading it fires', () => {
    const d = new Driver(withCarrierRule());
    openFirstBeat(d);
    d.seat('red', say('We will hold back if Blue does.'));
    const original = d.state.messages.at(-1)!;
    const gameVersion = d.state.gameVersion;
    d.seat('grey', say('From Red: they will hold back.', { to: 'blue', relayOf: original.id }));
    // Messages never move the game version: a move made on the earlier view is not stale.
    expect(d.state.gameVersion).toBe(gameVersion);
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'wait', rationale: '', lock: true });
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'brace', rationale: '', lock: true });
    expect(d.phase).toBe('adjudication');

    const proposal = d.ctx.proposal!;
    expect(proposal.relays).toEqual([
      {
        beat: 'first',
        channel: 'via-grey',
        by: 'grey',
        from: 'red',
        to: ['blue'],
        original: original.id,
        message: d.state.messages.at(-1)!.id,
        countedFor: [{ kind: 'rule', rule: 'carried' }],
      },
    ]);
    expect(proposal.narrative.map((n) => n.text)).toContain('Grey carries Red’s word to Blue.');

    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    expect(d.ctx.world.flags).toContain('word-carried');
    expect(d.ctx.world.relays).toHaveLength(1);
    expect(d.ctx.resolutions[0]?.relays).toHaveLength(1);
    d.fac({ type: 'ADVANCE' });
    expect(d.ctx.outcome?.outcome).toBe('calm');
  });

  it('is a pure function of the log: a replay proposes the same relays', () => {
    const d = new Driver(withCarrierRule());
    openFirstBeat(d);
    d.seat('red', say('A word for Blue.'));
    d.seat('grey', say('Passing it on.', { relayOf: d.state.messages.at(-1)!.id }));
    d.fac({ type: 'ADVANCE' });
    const again = replay(d.game, d.log);
    expect(again.turn.context.proposal).toEqual(d.ctx.proposal);
    // Without `to`, the relay reaches every principal but the author.
    expect(d.ctx.proposal?.relays.map((r) => r.to)).toEqual([['blue']]);
  });

  it('closing planning by the clock carries the relays too', () => {
    const d = new Driver(withCarrierRule());
    openFirstBeat(d);
    carryRedsWord(d);
    const timer = d.ctx.timer!;
    d.must(system, { type: 'TIMER_EXPIRED', timerVersion: timer.setAtVersion }, timer.deadline!);
    expect(d.ctx.proposal?.relays).toHaveLength(1);
  });
}

/** What counts as a relay, and what a rewind forgets. */
function countingCases(): void {
  it('does not count what is not a relay of a principal’s message to another principal', () => {
    const d = new Driver(withCarrierRule());
    d.fac({ type: 'START' });
    // Before the beat opens: it belongs to no beat's planning.
    d.seat('red', say('Early word.'));
    const early = d.state.messages.at(-1)!;
    d.fac({ type: 'ADVANCE' });
    d.seat('grey', say('Late relay of the early word.', { to: 'blue', relayOf: early.id }));
    d.seat('red', say('Second word.'));
    const second = d.state.messages.at(-1)!;
    // Back to its own author: reaches no one new.
    d.seat('grey', say('Red, I heard you.', { to: 'red', relayOf: second.id }));
    // Grey's own words, not a relay.
    d.seat('grey', say('Grey’s own advice.', { to: 'blue' }));
    d.fac({ type: 'ADVANCE' });
    // The relay of the early word was sent in this beat's planning, so it counts; the others are not relays.
    expect(d.ctx.proposal?.relays.map((r) => r.original)).toEqual([early.id]);
  });

  it('a rewind forgets the relays of the pass it undoes', () => {
    const s = withCarrierRule();
    s.beats[0]!.next = [{ beat: 'second' }];
    const d = new Driver(s);
    openFirstBeat(d);
    carryRedsWord(d);
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
    expect(d.ctx.world.relays).toHaveLength(1);
    d.fac({ type: 'REWIND', beat: 'first' });
    expect(d.ctx.world.relays).toEqual([]);
    d.fac({ type: 'ADVANCE' });
    expect(d.ctx.proposal?.relays).toEqual([]);
    expect(d.ctx.proposal?.narrative.map((n) => n.text)).not.toContain('Grey carries Red’s word to Blue.');
  });
}

/** Who sees a relay counted, and the branch it decided. */
function visibilityCases(): void {
  it('the white cell sees which relays counted; a seat sees only the relays it sent or received', () => {
    const d = new Driver(withCarrierRule());
    openFirstBeat(d);
    carryRedsWord(d);
    d.fac({ type: 'ADVANCE' });
    expect(viewFor(d.game, d.state, { kind: 'facilitator' }).proposal?.relays[0]?.countedFor).toEqual([{ kind: 'rule', rule: 'carried' }]);
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    const relaysSeenBy = (who: string) => viewFor(d.game, d.state, { kind: 'seat', seat: who }).resolutions[0]?.relays.length;
    expect(relaysSeenBy('grey')).toBe(1);
    expect(relaysSeenBy('blue')).toBe(1);
    // Red's message went to Grey alone; whether Grey passed it on is not Red's to know.
    expect(relaysSeenBy('red')).toBe(0);
    expect(viewFor(d.game, d.state, { kind: 'observer' }).resolutions[0]?.relays).toEqual([]);
  });

  it('explains a branch by the relay that decided it', () => {
    const d = new Driver(withCarrierRule());
    openFirstBeat(d);
    carryRedsWord(d);
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    const cause = explainBranch(d.game.scenario, 'first', d.ctx.world, d.ctx.ledger);
    expect(cause.because).toEqual(['Grey passed a message from Red on to Blue in “First move”']);
    const none = new Driver(withCarrierRule());
    openFirstBeat(none);
    none.fac({ type: 'ADVANCE' });
    none.fac({ type: 'ACCEPT_ADJUDICATION' });
    expect(explainBranch(none.game.scenario, 'first', none.ctx.world, none.ctx.ledger).passedOver[0]?.unmet).toEqual([
      'no one passed a message from Red on to Blue',
    ]);
  });
}

describe('the relayed condition in a scenario file', () => {
  const problems = (when: unknown) => {
    const s = structuredClone(mini) as { beats: { rules?: unknown[] }[] };
    s.beats[0]!.rules = [{ id: 'r', description: 'd', when, effects: [{ kind: 'ladder', delta: 1 }], text: 't' }];
    const r = checkScenario(s);
    return r.ok ? [] : r.problems.map((p) => p.message);
  };

  it('accepts a relay between two principals of a mediated channel', () => {
    expect(problems({ relayed: { from: 'red', to: 'blue', beat: 'first', channel: 'via-grey' } })).toEqual([]);
    expect(problems({ relayed: {} })).toEqual([]);
  });

  it('refuses unknown seats, beats and channels, and relays no channel can carry', () => {
    expect(problems({ relayed: { from: 'purple' } })).toEqual([
      'unknown seat "purple" (seats: red, blue, grey, green)',
      'no mediated channel has purple as principals, so this relay can never happen',
    ]);
    expect(problems({ relayed: { from: 'red', beat: 'third' } })).toEqual(['no beat "third"']);
    expect(problems({ relayed: { channel: 'red-blue' } })).toEqual(['no mediated channel "red-blue"']);
    // Grey is the relay, not a principal: nothing is relayed from it.
    expect(problems({ relayed: { from: 'grey', to: 'blue' } })).toEqual([
      'no mediated channel has grey and blue as principals, so this relay can never happen',
    ]);
    expect(problems({ relayed: { from: 'red', by: 'grey' } })).not.toEqual([]);
  });
});

describe('the white cell in mediated and closed channels', () => {
  it('writes to every member of a mediated channel, and of one not open yet, but leaves addressing and relaying to the relay', () => {
    const d = new Driver(mini);
    openFirstBeat(d);
    d.fac(say('The white cell to everyone on the line.'));
    expect(d.state.messages.at(-1)!.audience).toEqual(['red', 'blue', 'grey']);
    d.fac({ type: 'SEND_MESSAGE', channel: 'hotline', text: 'Before the hotline opens.' });
    expect(d.state.messages.at(-1)!.audience).toEqual(['red', 'blue']);
    expect(d.send({ kind: 'seat', seat: 'red' }, { type: 'SEND_MESSAGE', channel: 'hotline', text: 'x' })).toMatchObject({ ok: false, refusal: { code: 'channel_closed' } });

    d.seat('red', say('To Grey.'));
    const original = d.state.messages.at(-1)!.id;
    for (const extra of [{ to: 'blue' }, { relayOf: original }, { to: 'blue', relayOf: original }]) {
      const r = d.send({ kind: 'facilitator' }, say('Passed on by the white cell.', extra));
      expect(r).toMatchObject({ ok: false, refusal: { code: 'invalid', message: 'The white cell writes to everyone in Via Grey; only grey addresses or relays messages there.' } });
    }
    // Outside mediated channels, addressing and relaying are invalid for everyone, and said so.
    expect(d.send({ kind: 'facilitator' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'x', to: 'red' })).toMatchObject({
      ok: false,
      refusal: { code: 'invalid', message: 'Addressing and relaying apply to mediated channels only.' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { persistGame, replay, restoreGame, initialState } from '../src/game/game.ts';
import { messagesFor, viewFor } from '../src/game/view.ts';
import type { Viewer } from '../src/game/channel-policy.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { Driver, facilitator, seat, system, T0 } from './driver.ts';

/** What a viewer may read of the messages so far. */
function viewerMessages(d: Driver, viewer: Viewer) {
  return messagesFor(d.game, d.state, viewer);
}

function started(setup = {}) {
  const d = new Driver(mini, setup);
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  return d;
}

describe('turn machine: phases', () => {
  openAndCloseCases();
  branchAndReviewCases();
});

/** From the lobby to planning, planning closed by lock-ins, a proposal accepted with its causes. */
function openAndCloseCases(): void {
  it('goes lobby → briefing → first beat planning with a deadline from the event time', () => {
    const d = new Driver(mini);
    expect(d.phase).toBe('lobby');
    d.fac({ type: 'START' });
    expect(d.phase).toBe('briefing');
    d.fac({ type: 'ADVANCE' });
    expect(d.phase).toBe('planning');
    expect(d.ctx.beat).toBe('first');
    expect(d.ctx.timer).toEqual({ deadline: T0 + 60_000, remainingMs: null, setAtVersion: 2 });
    expect(d.state.version).toBe(2);
  });

  it('closes planning once every acting seat in play has locked in, then waits for review', () => {
    const d = started();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'show resolve', lock: true });
    expect(d.phase).toBe('planning');
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'warn', rationale: '', lock: false });
    expect(d.phase).toBe('planning');
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'warn', rationale: 'deter', lock: true });
    // green is optional and not in play: it is not waited for, and makes no choice.
    expect(d.phase).toBe('adjudication');
    expect(d.ctx.proposal?.choices.map((c) => [c.seat, c.move, c.defaulted])).toEqual([
      ['red', 'strike', false],
      ['blue', 'warn', false],
    ]);
    expect(d.ctx.timer).toBeNull();
  });

  it('accepting applies the proposal with a cause for every change', () => {
    const d = started({ seed: 7 });
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
    d.seat('blue', { type: 'SUBMIT_MOVE', move: 'brace', rationale: '', lock: true });
    const drawn = d.ctx.proposal?.draws[0]?.option;
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    expect(d.phase).toBe('resolution');
    const ladder = d.ctx.ledger.filter((c) => c.target.kind === 'ladder');
    expect(ladder[0]).toMatchObject({ from: 1, to: 2, cause: { kind: 'move', seat: 'red', move: 'strike' } });
    if (drawn === 'hit') expect(ladder[1]).toMatchObject({ from: 2, to: 3, cause: { kind: 'draw', draw: 'luck', option: 'hit' } });
    else expect(ladder).toHaveLength(1);
    expect(d.ctx.ledger.find((c) => c.target.kind === 'measure')).toMatchObject({
      target: { seat: 'blue', measure: 'casualties' },
      from: 0,
      to: 10,
    });
    expect(d.ctx.world.choices.map((c) => c.move)).toEqual(['strike', 'brace']);
    expect(d.ctx.resolutions).toHaveLength(1);
  });
}

/** The next beat by the guards, an override, and auto-accept without review. */
function branchAndReviewCases(): void {
  it('chooses the next beat or outcome by the scenario guards', () => {
    const calm = started();
    calm.fac({ type: 'ADVANCE' }); // close planning: everyone defaults, red waits
    calm.fac({ type: 'ACCEPT_ADJUDICATION' });
    calm.fac({ type: 'ADVANCE' });
    expect(calm.phase).toBe('outcome');
    expect(calm.ctx.outcome).toMatchObject({ outcome: 'calm', by: 'rules', path: ['first'] });
    calm.fac({ type: 'ADVANCE' });
    expect(calm.phase).toBe('debrief');
    expect(calm.state.turn.status).toBe('done');

    // Find a seed whose draw misses, so the strike leads to the second beat.
    for (let seedValue = 0; seedValue < 50; seedValue++) {
      const d = started({ seed: seedValue });
      d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
      d.fac({ type: 'ADVANCE' });
      if (d.ctx.proposal?.draws[0]?.option !== 'miss') continue;
      d.fac({ type: 'ACCEPT_ADJUDICATION' });
      d.fac({ type: 'ADVANCE' });
      expect(d.ctx.beat).toBe('second');
      expect(d.phase).toBe('planning');
      d.seat('blue', { type: 'SUBMIT_MOVE', move: 'retaliate', rationale: '', lock: true });
      d.fac({ type: 'ACCEPT_ADJUDICATION' });
      d.fac({ type: 'ADVANCE' });
      expect(d.ctx.outcome?.outcome).toBe('war');
      expect(d.ctx.outcome?.path).toEqual(['first', 'second']);
      return;
    }
    throw new Error('no seed in 0..49 drew a miss');
  });

  it('applies a facilitator override instead of the proposal, recording the reason', () => {
    const d = started();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
    d.fac({ type: 'ADVANCE' });
    d.fac({
      type: 'OVERRIDE_ADJUDICATION',
      changes: [{ kind: 'measure', seat: 'red', measure: 'trust', delta: -20 }],
      reason: 'The strike was exposed as reckless',
    });
    expect(d.ctx.world.ladder).toBe(1);
    expect(d.ctx.ledger).toEqual([
      expect.objectContaining({ from: 50, to: 30, cause: { kind: 'override', beat: 'first', reason: 'The strike was exposed as reckless' } }),
    ]);
    expect(d.ctx.resolutions[0]?.override).toEqual({ reason: 'The strike was exposed as reckless' });
  });

  it('auto-accepts when review is off', () => {
    const d = started({ review: false });
    d.fac({ type: 'ADVANCE' });
    expect(d.phase).toBe('resolution');
    expect(d.ctx.resolutions).toHaveLength(1);
  });
}

describe('turn machine: facilitator controls and timers', () => {
  clockCases();
  injectRewindEndCases();
});

/** The clock: pause and resume, the timer scale, extensions, a draft used when time runs out. */
function clockCases(): void {
  it('pauses and resumes the clock, keeping the time that was left', () => {
    const d = started();
    d.now = T0 + 20_000;
    d.fac({ type: 'PAUSE' });
    expect(d.ctx.timer).toEqual({ deadline: null, remainingMs: 40_000, setAtVersion: 3 });
    const refused = d.send(seat('red'), { type: 'SUBMIT_MOVE', move: 'wait', rationale: '', lock: true });
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'paused' } });
    d.now = T0 + 500_000;
    d.fac({ type: 'RESUME' });
    expect(d.ctx.timer).toEqual({ deadline: T0 + 540_000, remainingMs: null, setAtVersion: 4 });
  });

  it('scales a beat by timerScale, but not a setup timerSeconds entry nor an extension (docs/protocol.md, Timers)', () => {
    const scaled = started({ timerScale: 2 });
    expect(scaled.ctx.timer?.deadline).toBe(T0 + 120_000);
    scaled.fac({ type: 'EXTEND_TIMER', seconds: 30 });
    expect(scaled.ctx.timer?.deadline).toBe(T0 + 150_000);
    const set = started({ timerScale: 2, timerSeconds: { first: 45 } });
    expect(set.ctx.timer?.deadline).toBe(T0 + 45_000);
  });

  it('extends the deadline and makes the old expiry stale', () => {
    const d = started();
    d.fac({ type: 'EXTEND_TIMER', seconds: 30 });
    expect(d.ctx.timer?.deadline).toBe(T0 + 90_000);
    const stale = d.send(system, { type: 'TIMER_EXPIRED', timerVersion: 2 }, T0 + 60_000);
    expect(stale).toMatchObject({ ok: false, refusal: { code: 'stale_timer' } });
    const early = d.send(system, { type: 'TIMER_EXPIRED', timerVersion: 3 }, T0 + 89_999);
    expect(early).toMatchObject({ ok: false, refusal: { code: 'stale_timer' } });
    expect(d.phase).toBe('planning');
    d.must(system, { type: 'TIMER_EXPIRED', timerVersion: 3 }, T0 + 90_000);
    expect(d.phase).toBe('adjudication');
  });

  it('uses a draft still open when the timer closes the beat', () => {
    const d = started();
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'draft', lock: false });
    d.must(system, { type: 'TIMER_EXPIRED', timerVersion: 2 }, T0 + 60_000);
    expect(d.ctx.proposal?.choices[0]).toMatchObject({ seat: 'red', move: 'strike', defaulted: false, rationale: 'draft' });
  });
}

/** Injects, rewinds and the end of the game on the facilitator's word. */
function injectRewindEndCases(): void {
  it('fires an inject with its cause recorded', () => {
    const d = started();
    d.fac({ type: 'FIRE_INJECT', inject: 'storm' });
    expect(d.ctx.world.measures.red?.trust).toBe(40);
    expect(d.ctx.ledger.at(-1)?.cause).toEqual({ kind: 'inject', inject: 'storm' });
    expect(d.ctx.injects).toHaveLength(1);
  });

  it('rewinds to the start of a beat, restoring the world and the generator', () => {
    for (let seedValue = 0; seedValue < 50; seedValue++) {
      const d = started({ seed: seedValue });
      d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
      d.fac({ type: 'ADVANCE' });
      if (d.ctx.proposal?.draws[0]?.option !== 'miss') continue;
      const worldAtFirst = d.ctx.checkpoints[0]?.world;
      d.fac({ type: 'ACCEPT_ADJUDICATION' });
      d.fac({ type: 'FIRE_INJECT', inject: 'storm' });
      d.fac({ type: 'ADVANCE' });
      expect(d.ctx.beat).toBe('second');
      d.fac({ type: 'REWIND', beat: 'first' });
      expect(d.phase).toBe('planning');
      expect(d.ctx.beat).toBe('first');
      expect(d.ctx.world).toEqual(worldAtFirst);
      expect(d.ctx.resolutions).toEqual([]);
      expect(d.ctx.injects).toEqual([]);
      expect(d.ctx.ledger).toEqual([]);
      expect(d.ctx.path).toEqual(['first']);
      expect(d.ctx.checkpoints).toHaveLength(1);
      expect(d.ctx.submissions).toEqual({});
      // The same choice draws the same result again: the generator was restored too.
      d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: '', lock: true });
      d.fac({ type: 'ADVANCE' });
      expect(d.ctx.proposal?.draws[0]?.option).toBe('miss');
      return;
    }
    throw new Error('no seed drew a miss');
  });

  it('ends the game on the facilitator’s word with a reason', () => {
    const d = started();
    d.fac({ type: 'END_GAME', outcome: 'contained', reason: 'Out of time' });
    expect(d.phase).toBe('outcome');
    expect(d.ctx.outcome).toMatchObject({ outcome: 'contained', by: 'facilitator', reason: 'Out of time' });
  });
}

describe('refusals', () => {
  it('refuses with a typed error and changes nothing', () => {
    const d = started();
    const before = d.state;
    const cases = [
      [seat('red'), { type: 'ADVANCE' }, 'forbidden'],
      [{ kind: 'observer' }, { type: 'SUBMIT_MOVE', move: 'wait', rationale: '', lock: true }, 'forbidden'],
      [seat('grey'), { type: 'SUBMIT_MOVE', move: 'wait', rationale: '', lock: true }, 'not_acting'],
      [seat('green'), { type: 'SUBMIT_MOVE', move: 'watch', rationale: '', lock: true }, 'not_acting'],
      [seat('red'), { type: 'SUBMIT_MOVE', move: 'brace', rationale: '', lock: true }, 'unknown_move'],
      [facilitator, { type: 'ACCEPT_ADJUDICATION' }, 'wrong_phase'],
      [facilitator, { type: 'START' }, 'wrong_phase'],
      [facilitator, { type: 'RESUME' }, 'wrong_phase'],
      [facilitator, { type: 'FIRE_INJECT', inject: 'flood' }, 'unknown_inject'],
      [facilitator, { type: 'REWIND', beat: 'second' }, 'unknown_beat'],
      [facilitator, { type: 'END_GAME', outcome: 'nope', reason: 'x' }, 'unknown_outcome'],
      [system, { type: 'TIMER_EXPIRED', timerVersion: 99 }, 'stale_timer'],
      [seat('red'), { type: 'TIMER_EXPIRED', timerVersion: 2 }, 'forbidden'],
      [seat('red'), { type: 'SEND_MESSAGE', channel: 'nowhere', text: 'hi' }, 'unknown_channel'],
      [seat('grey'), { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'hi' }, 'not_member'],
      [seat('red'), { type: 'SEND_MESSAGE', channel: 'hotline', text: 'hi' }, 'channel_closed'],
      [seat('red'), { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'hi', to: 'blue' }, 'forbidden'],
      [{ kind: 'observer' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'hi' }, 'forbidden'],
      [seat('red'), { type: 'SEND_MESSAGE', channel: 'public', text: 'hi', toWhiteCell: true }, 'invalid'],
      [facilitator, { type: 'SEND_MESSAGE', channel: 'team-red', text: 'hi', toWhiteCell: true }, 'invalid'],
      [seat('grey'), { type: 'SEND_MESSAGE', channel: 'team-red', text: 'hi', toWhiteCell: true }, 'not_member'],
    ] as const;
    for (const [by, command, code] of cases) {
      const r = d.send(by, command);
      expect(r.ok ? 'accepted' : r.refusal.code, `${command.type} by ${by.kind}`).toBe(code);
      expect(d.state).toBe(before);
    }
  });

  it('refuses everything but the debrief after the outcome, and everything after the debrief', () => {
    const d = started();
    d.fac({ type: 'END_GAME', outcome: 'calm', reason: 'done' });
    expect(d.send(facilitator, { type: 'PAUSE' })).toMatchObject({ ok: false, refusal: { code: 'game_over' } });
    d.fac({ type: 'ADVANCE' });
    expect(d.send(facilitator, { type: 'ADVANCE' })).toMatchObject({ ok: false, refusal: { code: 'game_over' } });
    // Talking goes on in the debrief.
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'public', text: 'good game' });
  });
});

describe('messages and channels', () => {
  it('a principal in a mediated channel reaches only the relay; the relay can address or broadcast', () => {
    const d = started();
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'tell Blue we will hold' });
    const m = d.state.messages.at(-1);
    expect(m?.audience).toEqual(['red', 'grey']);
    d.seat('grey', { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'Red says it will hold', to: 'blue', relayOf: m?.id });
    expect(d.state.messages.at(-1)?.audience).toEqual(['grey', 'blue']);
    d.seat('grey', { type: 'SEND_MESSAGE', channel: 'via-grey', text: 'to both' });
    expect(d.state.messages.at(-1)?.audience).toEqual(['red', 'blue', 'grey']);
  });

  it('a note to the white cell reaches the white cell alone, not even the seat’s own devices', () => {
    const d = started();
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'team-red', text: 'no playable answer: default move', toWhiteCell: true });
    const m = d.state.messages.at(-1);
    expect(m).toMatchObject({ channel: 'team-red', from: 'red', audience: [], toWhiteCell: true });
    expect(viewerMessages(d, { kind: 'facilitator' }).map((x) => x.text)).toContain('no playable answer: default move');
    expect(viewerMessages(d, { kind: 'seat', seat: 'red' }).map((x) => x.text)).not.toContain('no playable answer: default move');
    // An ordinary team message still reaches the team.
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'team-red', text: 'we hold' });
    expect(viewerMessages(d, { kind: 'seat', seat: 'red' }).map((x) => x.text)).toContain('we hold');
  });

  it('opens a conditional channel when its flag is set', () => {
    const d = started();
    expect(d.send(seat('red'), { type: 'SEND_MESSAGE', channel: 'hotline', text: 'hello?' })).toMatchObject({
      ok: false,
      refusal: { code: 'channel_closed' },
    });
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'OVERRIDE_ADJUDICATION', changes: [{ kind: 'flag', flag: 'hotline', set: true }], reason: 'A line is opened' });
    d.seat('red', { type: 'SEND_MESSAGE', channel: 'hotline', text: 'hello?' });
    expect(d.state.messages.at(-1)?.audience).toEqual(['red', 'blue']);
  });
});

describe('determinism and persistence', () => {
  function played() {
    const d = started({ seed: 'replay' });
    d.seat('red', { type: 'SUBMIT_MOVE', move: 'strike', rationale: 'r', lock: true });
    d.seat('blue', { type: 'SEND_MESSAGE', channel: 'red-blue', text: 'why?' });
    d.fac({ type: 'ADVANCE' });
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    return d;
  }

  it('replaying the log gives exactly the same state', () => {
    const d = played();
    const again = replay(d.game, d.log);
    expect(again.version).toBe(d.state.version);
    expect(again.turn.value).toEqual(d.state.turn.value);
    expect(again.turn.context).toEqual(d.state.turn.context);
    expect(again.messages).toEqual(d.state.messages);
  });

  it('a persisted snapshot restores to the same state and keeps playing identically', () => {
    const d = played();
    const json = JSON.parse(JSON.stringify(persistGame(d.game, d.state)));
    const restored = restoreGame(d.game, json);
    expect(restored.turn.context).toEqual(d.state.turn.context);
    expect(viewFor(d.game, restored, { kind: 'facilitator' })).toEqual(viewFor(d.game, d.state, { kind: 'facilitator' }));
    const tail = { seq: d.state.version + 1, at: T0, by: facilitator, commandId: 'tail', command: { type: 'ADVANCE' } } as const;
    expect(replay(d.game, [tail], restored).turn.context).toEqual(replay(d.game, [tail], d.state).turn.context);
  });

  it('round-trips through XState’s own getPersistedSnapshot and createActor', () => {
    const d = played();
    const persisted = JSON.parse(JSON.stringify(d.game.machine.getPersistedSnapshot(d.game.machine.resolveState({ value: d.state.turn.value, context: d.state.turn.context }))));
    const actor = createActor(d.game.machine, {
      snapshot: persisted,
      input: { scenario: d.game.scenario, seed: d.ctx.seed, options: d.ctx.options },
    }).start();
    expect(actor.getSnapshot().value).toEqual(d.state.turn.value);
    expect(actor.getSnapshot().context).toEqual(d.state.turn.context);
    actor.send({ type: 'ADVANCE', by: facilitator, seq: d.state.version + 1, at: T0 });
    expect(actor.getSnapshot().context.beat).toBe(replay(d.game, [{ seq: d.state.version + 1, at: T0, by: facilitator, commandId: 'x', command: { type: 'ADVANCE' } }], d.state).turn.context.beat);
    actor.stop();
  });

  it('refuses a log entry out of sequence', () => {
    const d = played();
    const entry = { seq: d.state.version + 2, at: T0, by: facilitator, commandId: 'gap', command: { type: 'ADVANCE' } } as const;
    expect(() => replay(d.game, [entry], d.state)).toThrow(/log entry/);
    expect(initialState(d.game).version).toBe(0);
  });
});

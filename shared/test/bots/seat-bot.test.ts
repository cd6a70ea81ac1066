import { describe, expect, it } from 'vitest';
import { shippedScenario } from '../../node/scenario-files.ts';
import { viewFor } from '../../src/game/view.ts';
import { persistGame, replay, restoreGame } from '../../src/game/game.ts';
import { Driver, facilitator, seat } from '../driver.ts';

const scenario = shippedScenario('april-2024');

describe('SET_SEAT_BOT', () => {
  it('hands a seat to a persona and back, shows "played by a bot" without naming the persona to others, and replays', () => {
    const d = new Driver(scenario);
    d.fac({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: 'shuttle-broker' });
    expect(d.ctx.bots).toEqual({ mediators: 'shuttle-broker' });
    expect(viewFor(d.game, d.state, { kind: 'facilitator' }).bots).toEqual([{ seat: 'mediators', bot: 'shuttle-broker' }]);
    expect(viewFor(d.game, d.state, { kind: 'seat', seat: 'iran' }).bots).toEqual([{ seat: 'mediators', bot: null }]);
    expect(viewFor(d.game, d.state, { kind: 'seat', seat: 'mediators' }).bots).toEqual([{ seat: 'mediators', bot: 'shuttle-broker' }]);
    d.fac({ type: 'START' });
    d.fac({ type: 'ADVANCE' });
    // A rewind keeps who plays a seat: it is not part of the crisis.
    d.fac({ type: 'REWIND', beat: scenario.startBeat });
    expect(d.ctx.bots).toEqual({ mediators: 'shuttle-broker' });
    const restored = restoreGame(d.game, JSON.parse(JSON.stringify(persistGame(d.game, d.state))));
    expect(restored.turn.context.bots).toEqual({ mediators: 'shuttle-broker' });
    d.fac({ type: 'SET_SEAT_BOT', seat: 'mediators', bot: null });
    expect(d.ctx.bots).toEqual({});
    expect(replay(d.game, d.log).turn.context).toEqual(d.ctx);
  });

  it('refuses, changing nothing: a seat, an unknown persona, an absent seat, an unknown seat', () => {
    const d = new Driver(scenario);
    const before = d.state;
    const cases = [
      [seat('iran'), { type: 'SET_SEAT_BOT', seat: 'iran', bot: 'hard-liner' }, 'forbidden'],
      [facilitator, { type: 'SET_SEAT_BOT', seat: 'iran', bot: 'shuttle-broker' }, 'invalid'],
      [facilitator, { type: 'SET_SEAT_BOT', seat: 'eu', bot: 'honest-broker' }, 'invalid'],
      [facilitator, { type: 'SET_SEAT_BOT', seat: 'nobody', bot: null }, 'invalid'],
    ] as const;
    for (const [by, command, code] of cases) {
      const r = d.send(by, command);
      expect(r.ok ? 'accepted' : r.refusal.code).toBe(code);
    }
    expect(d.state).toBe(before);
  });
});

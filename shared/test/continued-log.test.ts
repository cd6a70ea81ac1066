/** continuedLog: a live session made from another's log starts paused if that log's clock runs at its end, and only then. */
import { describe, expect, it } from 'vitest';
import { continuedLog } from '../src/game/continued-log.ts';
import { replay } from '../src/game/game.ts';
import { mini } from './fixtures/mini-scenario.ts';
import { Driver, inFirstPlanning } from './driver.ts';

describe('continuedLog', () => {
  it('appends a facilitator PAUSE at the last entry\'s time when the clock runs, keeping the time that was left', () => {
    const d = inFirstPlanning(mini);
    d.now += 30_000;
    d.fac({ type: 'SEND_MESSAGE', channel: 'public', text: 'still planning' });
    const deadline = d.ctx.timer!.deadline!;
    const { log, final } = continuedLog(d.game, d.log, d.state);
    expect(log.slice(0, d.log.length)).toEqual(d.log);
    expect(log.slice(d.log.length)).toEqual([
      { seq: d.log.length + 1, at: d.now, by: { kind: 'facilitator' }, commandId: `continue-pause-${d.log.length}`, command: { type: 'PAUSE' } },
    ]);
    expect(final.turn.context).toMatchObject({ paused: true, timer: { deadline: null, remainingMs: deadline - d.now } });
    // The state handed back is the one the log leads to: stored together, they must agree.
    expect(replay(d.game, log)).toEqual(final);
  });

  it('never reuses a commandId the log holds (a file with two is refused)', () => {
    const d = inFirstPlanning(mini);
    const taken = `continue-pause-${d.log.length + 1}`;
    d.must({ kind: 'facilitator' }, { type: 'SEND_MESSAGE', channel: 'public', text: 'an id of my own' });
    d.log[d.log.length - 1]!.commandId = taken;
    const { log } = continuedLog(d.game, d.log, d.state);
    expect(log.at(-1)).toMatchObject({ command: { type: 'PAUSE' }, commandId: `${taken}-2` });
  });

  it('leaves a log alone whose clock is stopped, or that has none', () => {
    const paused = inFirstPlanning(mini);
    paused.fac({ type: 'PAUSE' });
    const briefing = new Driver(mini);
    briefing.fac({ type: 'START' });
    for (const d of [paused, briefing, new Driver(mini)]) {
      const { log, final } = continuedLog(d.game, d.log, d.state);
      expect(log).toEqual(d.log);
      expect(final).toBe(d.state);
    }
  });
});

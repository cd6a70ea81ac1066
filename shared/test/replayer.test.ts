import { describe, expect, it } from 'vitest';
import { persistGame, replay } from '../src/game/game.ts';
import { Replayer } from '../src/replay/replayer.ts';
import { playedGame } from './played-game.ts';

describe('Replayer: random access to a session’s history', () => {
  const d = playedGame('replayer');
  const r = new Replayer(d.game, d.log, 16);
  const expected = (v: number) => JSON.stringify(persistGame(d.game, replay(d.game, d.log.slice(0, v))));
  const got = (v: number) => JSON.stringify(persistGame(d.game, r.stateAt(v)));

  it('gives exactly the state after any event, whatever order the moments are asked in', () => {
    const versions = Array.from({ length: d.log.length + 1 }, (_, v) => v);
    // Forward one by one (playback), then backwards (stepping back), then jumping about.
    for (const v of versions) expect(got(v), `forward ${v}`).toBe(expected(v));
    for (const v of [...versions].reverse()) expect(got(v), `backward ${v}`).toBe(expected(v));
    for (let i = 0; i < 60; i++) {
      const v = (i * 37) % (d.log.length + 1);
      expect(got(v), `jump ${v}`).toBe(expected(v));
    }
    expect(r.stateAt(d.log.length)).toBe(r.final);
    expect(r.stateAt(-5).version).toBe(0);
    expect(r.stateAt(d.log.length + 10)).toBe(r.final);
  });

  it('marks every event, beats with the beat that opened', () => {
    expect(r.markers).toHaveLength(d.log.length);
    const beats = r.markers.filter((m) => m.kind === 'beat');
    expect(beats.length).toBe(d.ctx.resolutions.length);
    expect(beats.map((m) => m.beat)).toEqual(d.ctx.resolutions.map((x) => x.beat));
    expect(r.markers.filter((m) => m.kind === 'inject')).toHaveLength(1);
    expect(r.markers.filter((m) => m.kind === 'override')).toHaveLength(1);
    expect(r.markers.filter((m) => m.kind === 'outcome')).toHaveLength(1);
  });
});

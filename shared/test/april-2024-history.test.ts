import { describe, it, expect } from 'vitest';
import { HISTORICAL_BEATS, OPTIONAL, REQUIRED, beat, scenario as s } from './april-2024.ts';
import { historicalPicks, interceptionWeights, playGame, withPicks } from './april-2024-games.ts';

describe('april-2024 scenario: the historical path', () => {
  historicalMovesCases();
  historicalNightCases();
});

/** The moves flagged historical, and the record the historical path matches. */
function historicalMovesCases(): void {
  it('lists each required seat’s historical moves (main and also) in beats 1–6, in beat order, all flagged historical', () => {
    const order = s.historicalPath.map((p) => HISTORICAL_BEATS.indexOf(p.beat));
    expect(order.every((x) => x >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const id of HISTORICAL_BEATS)
      for (const a of beat(id).actors.filter((x) => REQUIRED.includes(x.seat))) {
        const steps = s.historicalPath.filter((p) => p.beat === id && p.seat === a.seat);
        expect(steps.length, `${id}/${a.seat}`).toBe(1);
        const move = a.moves.find((m) => m.id === steps[0]?.move);
        expect(move?.historical, `${id}/${a.seat}/${steps[0]?.move}`).toBe(true);
        expect(a.moves.filter((m) => m.historical).map((m) => m.id).sort(), `${id}/${a.seat}`).toEqual([steps[0]?.move, ...(steps[0]?.also ?? [])].sort());
      }
  });

  it('flags no move historical in the counterfactual beats', () => {
    for (const id of ['shadow-war', 'iran-counterstrike', 'nuclear-answer'])
      for (const a of beat(id).actors) for (const m of a.moves) expect(m.historical, `${id}/${m.id}`).toBe(false);
  });

  it('matches the record: a telegraphed strike, Katz’s red line, a coalition defence, “our operations are over”, a limited strike', () => {
    const path = s.historicalPath.map((p) => `${p.beat}/${p.seat}/${p.move}`);
    expect(path).toEqual(
      expect.arrayContaining([
        'iran-decision/iran/telegraphed-strike',
        'signalling-window/iran/warn-through-mediators',
        'signalling-window/israel/public-red-line',
        'signalling-window/us/coalition-air-defence',
        'strike-and-defence/iran/launch-as-planned',
        'international-reaction/iran/declare-operations-over',
        'israel-decision/israel/limited-strike',
        'israel-decision/us/press-restraint',
      ]),
    );
  });

  it.each(['near-total', 'partial', 'breakthrough'])('ends in a contained exchange on rung 5 when the interception draw is %s', (option) => {
    for (const inPlay of [REQUIRED, [...REQUIRED, ...OPTIONAL]]) {
      const game = playGame(historicalPicks, { draws: { interception: option }, inPlay, traffic: true });
      expect(game.path).toEqual(HISTORICAL_BEATS);
      expect(game.outcome).toBe('contained-exchange');
      expect(game.world.ladder).toBe(5);
      expect(game.world.flags.has('iran-struck-directly')).toBe(true);
    }
  });
}

/** What the mediators carried, the deaths recorded, and the likeliest interception draw. */
function historicalNightCases(): void {
  it('counts what the mediators really carried: the US denial, the notice of a limited strike, the matter concluded', () => {
    const game = playGame(historicalPicks, { draws: { interception: 'near-total' }, traffic: true });
    const relays = game.world.relays.map((r) => `${r.beat}: ${r.from} → ${r.to.join(', ')}`);
    expect(relays).toEqual(s.historicalPath.flatMap((h) => h.relays.map((r) => `${h.beat}: ${r.from} → ${r.to}`)));
    expect([...game.world.flags]).toEqual(expect.arrayContaining(['strike-telegraphed', 'notice-believed', 'closure-relayed']));
    expect(game.world.flags.has('us-forces-targeted')).toBe(false);
    // The same moves with nothing passed on: the notice is stranded and US forces become targets.
    const silent = playGame(historicalPicks, { draws: { interception: 'near-total' } });
    expect(silent.world.relays).toEqual([]);
    expect(silent.world.flags.has('strike-telegraphed')).toBe(false);
    expect(silent.world.flags.has('us-forces-targeted')).toBe(true);
  });

  it('records no deaths on the historical night when nearly everything is intercepted', () => {
    const game = playGame(historicalPicks, { draws: { interception: 'near-total' }, traffic: true });
    expect(game.world.measures.israel?.casualties).toBe(0);
    expect(game.world.measures.iran?.casualties).toBe(0);
  });

  it('makes near-total interception by far the likeliest draw on the historical path, and a breakthrough likelier after a massive unwarned strike', () => {
    const share = (weights: Record<string, number>, id: string) =>
      (weights[id] ?? 0) / Object.values(weights).reduce((a, b) => a + b, 0);
    const hist = interceptionWeights(historicalPicks, true);
    expect(share(hist, 'near-total')).toBeGreaterThan(0.7);

    const allOut = withPicks(historicalPicks, {
      'iran-decision': { iran: 'massive-strike' },
      'signalling-window': { iran: 'keep-ambiguous', us: 'hold-posture' },
    });
    const massive = interceptionWeights(allOut);
    expect(share(massive, 'breakthrough')).toBeGreaterThan(share(hist, 'breakthrough') * 5);
    expect(share(massive, 'near-total')).toBeLessThan(share(hist, 'near-total') / 2);
  });
}

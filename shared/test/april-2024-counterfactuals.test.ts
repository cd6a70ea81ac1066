import { describe, it, expect } from 'vitest';
import { REQUIRED } from './april-2024.ts';
import { historicalPicks, playGame, withPicks, type Picks } from './april-2024-games.ts';

describe('april-2024 scenario: counterfactual paths', () => {
  shadowWarCases();
  describe('the nuclear answer', nuclearAnswerCases);
  counterstrikeCases();
});

/** Where Iran's first answer, and Israel's, lead short of a direct war. */
function shadowWarCases(): void {
  it('ends in de-escalation when Israel takes the win, on the rung of a one-way strike', () => {
    const game = playGame(withPicks(historicalPicks, { 'israel-decision': { israel: 'take-the-win' } }), { draws: { interception: 'near-total' } });
    expect(game.outcome).toBe('de-escalation');
    expect(game.world.ladder).toBe(4);
  });

  it('does not step back from the brink after a breakthrough killed dozens: the blow is left unanswered', () => {
    const game = playGame(withPicks(historicalPicks, { 'israel-decision': { israel: 'take-the-win' } }), { draws: { interception: 'breakthrough' } });
    expect(game.outcome).toBe('unanswered-blow');
    expect(game.driver.ctx.outcome?.variant).toBe(0); // the description that names the dead
  });

  it('sends a called-off strike back to the shadow war, unless Iran has been struck itself', () => {
    const calledOff = withPicks(historicalPicks, { 'strike-and-defence': { iran: 'stand-down' } });
    expect(playGame(calledOff).path.at(-1)).toBe('shadow-war');
    const struckAnyway = withPicks(calledOff, { 'strike-and-defence': { israel: 'defend-and-strike-back' } });
    expect(playGame(struckAnyway).path.at(-1)).toBe('iran-counterstrike');
  });

  it('ends in de-escalation when Iran chooses strategic patience and nobody pushes', () => {
    const game = playGame({ 'iran-decision': { iran: 'strategic-patience' } });
    expect(game.path).toEqual(['consulate-strike', 'iran-decision', 'shadow-war']);
    expect(game.outcome).toBe('de-escalation');
  });

  it('ends in a war through partners, not a “contained exchange”, when the proxy war simmers and no state strikes', () => {
    const game = playGame({ 'iran-decision': { iran: 'proxy-response' }, 'shadow-war': { israel: 'strike-proxies' } });
    expect(game.outcome).toBe('proxy-war');
    expect(game.world.ladder).toBe(3);
  });

  it('keeps proxy fire off the direct rungs: the proxy war and the northern front flare, and no state strikes', () => {
    const game = playGame(
      {
        'iran-decision': { iran: 'proxy-response' },
        'shadow-war': { iran: 'proxy-escalation', israel: 'strike-proxies', hezbollah: 'open-northern-front' },
      },
      { inPlay: [...REQUIRED, 'hezbollah'] },
    );
    expect(game.outcome).toBe('proxy-war');
    expect(game.world.ladder).toBe(3);
  });

  it('sends a direct Israeli strike from the shadow war to Iran’s counterstrike', () => {
    const game = playGame({ 'iran-decision': { iran: 'covert-cyber' }, 'shadow-war': { israel: 'strike-iran-directly' } });
    expect(game.path.at(-1)).toBe('iran-counterstrike');
    // Iran's default there is to absorb and claim victory: one strike, unanswered on Israeli soil.
    expect(game.outcome).toBe('de-escalation');
    expect(game.world.ladder).toBe(4);
  });
}

/** The beat Israel and the United States get when Iran reaches the nuclear threshold. */
function nuclearAnswerCases(): void {
  const threshold: Picks = { 'iran-decision': { iran: 'nuclear-signalling' }, 'shadow-war': { iran: 'enrichment-surge' } };

  it('gives Israel and the United States a beat to answer when Iran reaches the threshold', () => {
    const game = playGame(threshold);
    expect(game.path.at(-1)).toBe('nuclear-answer');
    expect(game.world.measures.iran?.['nuclear-latency']).toBeGreaterThanOrEqual(90);
    // Everyone's default: no weapon, no deal, no strike.
    expect(game.outcome).toBe('threshold-standoff');
  });

  it('ends in a nuclear crisis on rung 8 when Iran races for a weapon and no one stops it', () => {
    const game = playGame(withPicks(threshold, { 'nuclear-answer': { iran: 'race-for-weapon', us: 'refer-to-iaea-board' } }));
    expect(game.outcome).toBe('nuclear-crisis');
    expect(game.world.ladder).toBe(8);
    expect(game.world.flags.has('iaea-referral')).toBe(true);
  });

  it('ends in strikes on the programme when Israel or the United States bombs the sites', () => {
    const israel = playGame(withPicks(threshold, { 'nuclear-answer': { iran: 'race-for-weapon', israel: 'bomb-nuclear-facilities' } }));
    expect(israel.outcome).toBe('programme-struck');
    expect(israel.world.flags.has('israel-struck-iran')).toBe(true);
    const us = playGame(withPicks(threshold, { 'nuclear-answer': { us: 'bomb-facilities-with-israel' } }));
    expect(us.outcome).toBe('programme-struck');
    expect(us.driver.ctx.outcome?.variant).toBe(0); // the description that says the United States struck
    expect(us.world.ladder).toBe(4);
  });

  it('opens talks only when a freeze meets an offer and someone carries it', () => {
    const offer = withPicks(threshold, { 'nuclear-answer': { iran: 'freeze-for-talks', us: 'offer-talks-via-oman' } });
    expect(playGame(offer).outcome).toBe('threshold-standoff');
    const carried = withPicks(offer, { 'nuclear-answer': { mediators: 'carry-freeze-formula' } });
    const game = playGame(carried);
    expect(game.outcome).toBe('nuclear-talks');
    expect(game.world.flags.has('nuclear-breakout')).toBe(false);
  });

  it('restores UN sanctions only through the European parties to the deal', () => {
    const pressed = withPicks(threshold, { 'nuclear-answer': { us: 'press-for-snapback' } });
    expect(playGame(pressed).world.flags.has('snapback')).toBe(true); // no one plays Europe: the E3 follow Washington
    const withEu = [...REQUIRED, 'eu'];
    expect(playGame(pressed, { inPlay: withEu }).world.flags.has('snapback')).toBe(false);
    expect(playGame(withPicks(pressed, { 'nuclear-answer': { eu: 'trigger-snapback' } }), { inPlay: withEu }).world.flags.has('snapback')).toBe(true);
  });

  it('follows a nuclear hint and an IAEA report after Israel’s decision', () => {
    const picks = withPicks(historicalPicks, { 'israel-decision': { iran: 'hint-nuclear-rethink' } });
    expect(playGame(picks).outcome).toBe('contained-exchange');
    const game = playGame(picks, { injects: { 'israel-decision': ['iaea-report'] } });
    expect(game.path.at(-1)).toBe('nuclear-answer');
    expect(game.outcome).toBe('threshold-standoff');
  });
}

/** Iran's counterstrike after a major Israeli strike, and the paths that climb to the top of the ladder. */
function counterstrikeCases(): void {
  it('ends in sustained war after a major Israeli strike answered by a full barrage', () => {
    const game = playGame(
      withPicks(historicalPicks, {
        'israel-decision': { israel: 'major-strike' },
        'iran-counterstrike': { iran: 'full-barrage', us: 'defend-only', israel: 'brace-and-defend' },
      }),
    );
    expect(game.path.at(-1)).toBe('iran-counterstrike');
    expect(game.outcome).toBe('sustained-war');
    expect(game.world.flags.has('us-israel-split')).toBe(true); // Israel struck against Washington's advice
  });

  it('keeps a limited Iranian reply contained only if someone reins the exchange in', () => {
    const base = withPicks(historicalPicks, { 'israel-decision': { israel: 'major-strike' }, 'iran-counterstrike': { iran: 'limited-reply' } });
    expect(playGame(base).outcome).toBe('sustained-war');
    expect(playGame(withPicks(base, { 'iran-counterstrike': { us: 'restrain-israel' } })).outcome).toBe('contained-exchange');
    expect(playGame(base, { injects: { 'iran-counterstrike': ['direct-line-opened'] } }).outcome).toBe('contained-exchange');
  });

  it('ends in a nuclear crisis on rung 8 when Iran answers a strike with a dash for the bomb', () => {
    const game = playGame(
      withPicks(historicalPicks, { 'israel-decision': { israel: 'major-strike' }, 'iran-counterstrike': { iran: 'nuclear-breakout' } }),
    );
    expect(game.path.at(-1)).toBe('nuclear-answer');
    expect(game.outcome).toBe('nuclear-crisis');
    expect(game.world.ladder).toBe(8);
  });

  it('climbs to rung 7 or 8 and a regional war on an all-out path', () => {
    const game = playGame(
      withPicks(historicalPicks, {
        'iran-decision': { iran: 'massive-strike' },
        'signalling-window': { iran: 'keep-ambiguous', israel: 'quiet-preparation', us: 'hold-posture' },
        'strike-and-defence': { iran: 'launch-as-planned' },
        'international-reaction': { iran: 'threaten-second-wave', us: 'back-a-response', israel: 'ready-the-strike' },
        'israel-decision': { israel: 'major-strike', us: 'join-strike', iran: 'mobilise-proxies' },
        'iran-counterstrike': { iran: 'full-barrage', us: 'join-offensive' },
      }),
      { draws: { interception: 'breakthrough' } },
    );
    expect(game.outcome).toBe('regional-war');
    expect(game.world.ladder).toBeGreaterThanOrEqual(7);
    expect(game.world.measures.israel?.casualties).toBeGreaterThan(100);
  });

  it('lets Israel’s limited strike escalate when Washington green-lights it and Iran has mobilised its partners', () => {
    const picks = withPicks(historicalPicks, { 'israel-decision': { us: 'green-light', iran: 'mobilise-proxies' } });
    expect(playGame(picks).path.at(-1)).toBe('iran-counterstrike');
  });
}

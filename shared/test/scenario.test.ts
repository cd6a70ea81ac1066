import { describe, it, expect } from 'vitest';
import { shippedScenario } from '../node/scenario-files.ts';
import type { Beat, Condition, Scenario } from '../src/scenario/schema.ts';
import { Driver } from './driver.ts';
import { historicalMessages } from '../src/analysis/historical.ts';
import { everyEffect } from '../src/scenario/truth-check.ts';

const s: Scenario = shippedScenario('april-2024');

const REQUIRED = ['iran', 'israel', 'us', 'mediators'];
const OPTIONAL = ['hezbollah', 'jordan', 'eu'];
const BEAT_ORDER = [
  'consulate-strike',
  'iran-decision',
  'signalling-window',
  'strike-and-defence',
  'international-reaction',
  'israel-decision',
  'shadow-war',
  'iran-counterstrike',
  'nuclear-answer',
];
const HISTORICAL_BEATS = BEAT_ORDER.slice(0, 6);
const OUTCOMES = [
  'de-escalation',
  'contained-exchange',
  'unanswered-blow',
  'proxy-war',
  'sustained-war',
  'regional-war',
  'programme-struck',
  'nuclear-talks',
  'threshold-standoff',
  'nuclear-crisis',
];

const beat = (id: string): Beat => {
  const b = s.beats.find((x) => x.id === id);
  if (!b) throw new Error(`no beat ${id}`);
  return b;
};
const actor = (beatId: string, seat: string) => {
  const a = beat(beatId).actors.find((x) => x.seat === seat);
  if (!a) throw new Error(`${seat} does not act in ${beatId}`);
  return a;
};
const moveIds = (beatId: string, seat: string) => actor(beatId, seat).moves.map((m) => m.id);

function walkConditions(c: Condition | undefined, visit: (atom: Condition) => void): void {
  if (!c) return;
  if ('all' in c) c.all.forEach((x) => walkConditions(x, visit));
  else if ('any' in c) c.any.forEach((x) => walkConditions(x, visit));
  else if ('not' in c) walkConditions(c.not, visit);
  else visit(c);
}
function everyCondition(visit: (atom: Condition, where: string) => void): void {
  for (const b of s.beats) {
    b.next.forEach((n) => walkConditions(n.when, (c) => visit(c, b.id)));
    b.rules.forEach((r) => {
      walkConditions(r.when, (c) => visit(c, b.id));
      r.effects.forEach((e) => walkConditions(e.when, (c) => visit(c, b.id)));
    });
    b.draws.forEach((d) => {
      walkConditions(d.when, (c) => visit(c, b.id));
      d.options.forEach((o) => o.adjust.forEach((a) => walkConditions(a.when, (c) => visit(c, b.id))));
    });
    b.actors.forEach((a) => a.moves.forEach((m) => m.effects.forEach((e) => walkConditions(e.when, (c) => visit(c, b.id)))));
  }
  s.channels.forEach((ch) => walkConditions(ch.opensWhen, (c) => visit(c, `channel ${ch.id}`)));
}
// ----------------------------------------------------------------------------
// Whole games on the real engine. A forced draw is found by trying seeds until
// the seeded draw gives the wanted option, so every path here is one a real
// session can take.

type Picks = Record<string, Record<string, string>>;
interface GameOptions {
  draws?: Record<string, string>;
  inPlay?: string[];
  injects?: Record<string, string[]>;
  /** Stop when this beat's adjudication is proposed, and return the driver. */
  stopAt?: string;
  /** Send the messages history records (what the mediators passed on) before each seat's move. */
  traffic?: boolean;
  /** Play history's main moves alone, without what history has the seats do beside them. */
  withoutAlso?: boolean;
}

function playOnce(picks: Picks, seed: number, opts: GameOptions) {
  const inPlay = opts.inPlay ?? REQUIRED;
  const d = new Driver(s, { seed, optionalSeats: inPlay.filter((x) => OPTIONAL.includes(x)) });
  d.fac({ type: 'START' });
  d.fac({ type: 'ADVANCE' });
  let drawsMatch = true;
  for (let guard = 0; guard < 20 && d.phase !== 'outcome'; guard++) {
    const beatId = d.ctx.beat ?? '';
    for (const injectId of opts.injects?.[beatId] ?? []) d.fac({ type: 'FIRE_INJECT', inject: injectId });
    for (const a of beat(beatId).actors) {
      const pick = picks[beatId]?.[a.seat];
      if (pick === undefined || !inPlay.includes(a.seat) || d.phase !== 'planning') continue;
      if (opts.traffic)
        for (const m of historicalMessages(s, d.state, beatId, a.seat)) d.seat(a.seat, { type: 'SEND_MESSAGE', ...m });
      // A seat playing history's main move also does what history has it do beside it (unless told not to).
      const step = opts.withoutAlso ? undefined : s.historicalPath.find((h) => h.beat === beatId && h.seat === a.seat && h.move === pick);
      d.seat(a.seat, { type: 'SUBMIT_MOVE', move: pick, ...(step && step.also.length > 0 ? { also: step.also } : {}), rationale: '', lock: true });
    }
    if (d.phase === 'planning') d.fac({ type: 'ADVANCE' });
    for (const drawn of d.ctx.proposal?.draws ?? []) {
      const wanted = opts.draws?.[drawn.draw];
      if (wanted !== undefined && wanted !== drawn.option) drawsMatch = false;
    }
    if (opts.stopAt === beatId) return { d, drawsMatch };
    d.fac({ type: 'ACCEPT_ADJUDICATION' });
    d.fac({ type: 'ADVANCE' });
  }
  return { d, drawsMatch };
}

/** Plays a whole game on the engine; returns the outcome, the beats visited and the final world. */
function playGame(picks: Picks, opts: GameOptions = {}) {
  for (let seed = 0; seed < 2000; seed++) {
    const { d, drawsMatch } = playOnce(picks, seed, opts);
    if (!drawsMatch) continue;
    const w = d.ctx.world;
    return { outcome: d.ctx.outcome?.outcome, path: d.ctx.path, world: { ...w, flags: new Set(w.flags) }, driver: d };
  }
  throw new Error(`no seed below 2000 draws ${JSON.stringify(opts.draws)}`);
}

/** The interception draw's weights, as the engine proposes them for these picks. */
function interceptionWeights(picks: Picks, traffic = false): Record<string, number> {
  const { d } = playOnce(picks, 1, { stopAt: 'strike-and-defence', traffic });
  const weights = d.ctx.proposal?.draws.find((x) => x.draw === 'interception')?.weights;
  if (!weights) throw new Error('no interception draw proposed');
  return weights;
}

const historicalPicks: Picks = {};
for (const step of s.historicalPath) (historicalPicks[step.beat] ??= {})[step.seat] = step.move;

const withPicks = (base: Picks, changes: Picks): Picks => {
  const out: Picks = {};
  for (const [b, p] of Object.entries(base)) out[b] = { ...p };
  for (const [b, p] of Object.entries(changes)) out[b] = { ...out[b], ...p };
  return out;
};

// ----------------------------------------------------------------------------

describe('april-2024 scenario: identity and shape', () => {
  it('loads and carries the fixed ids', () => {
    expect(s.id).toBe('april-2024');
    expect(s.version).toBe(4);
    expect(s.startBeat).toBe('consulate-strike');
    expect(s.beats.map((b) => b.id)).toEqual(BEAT_ORDER);
    expect(s.outcomes.map((o) => o.id).sort()).toEqual([...OUTCOMES].sort());
    expect(s.historicalOutcome).toBe('contained-exchange');
    expect(s.outcomes.filter((o) => o.historical).map((o) => o.id)).toEqual(['contained-exchange']);
    expect(s.title.length).toBeGreaterThan(0);
    expect(s.summary.length).toBeGreaterThan(0);
    expect(s.openingBriefing).toMatch(/Zahedi/);
    expect(s.openingBriefing).toMatch(/war between the wars/);
  });

  it('has the seven seats, four required and three optional, each with a distinct colour', () => {
    expect(s.seats.filter((x) => !x.optional).map((x) => x.id)).toEqual(REQUIRED);
    expect(s.seats.filter((x) => x.optional).map((x) => x.id)).toEqual(OPTIONAL);
    const colours = s.seats.map((x) => x.color.toLowerCase());
    expect(new Set(colours).size).toBe(colours.length);
  });

  it('gives every seat colour good contrast on a dark navy background', () => {
    const lum = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const navy = lum('#0b1a33');
    for (const seat of s.seats) expect((lum(seat.color) + 0.05) / (navy + 0.05), seat.id).toBeGreaterThanOrEqual(4.5);
  });

  it('defines the six measures with their bounds and plausible opening values', () => {
    const ids = s.measures.map((m) => m.id);
    expect(ids).toEqual(['deterrence', 'domestic-pressure', 'standing', 'cohesion', 'casualties', 'nuclear-latency']);
    for (const m of s.measures) {
      expect(m.min).toBe(0);
      expect(m.max).toBe(m.id === 'casualties' ? 100000 : 100);
    }
    const iran = s.seats.find((x) => x.id === 'iran');
    expect(iran?.initial['nuclear-latency']).toBeGreaterThanOrEqual(60);
    for (const seat of s.seats.filter((x) => x.id !== 'iran')) expect(seat.initial['nuclear-latency'] ?? 0).toBe(0);
    for (const seat of s.seats) expect(seat.initial.casualties ?? 0).toBe(0);
  });

  it('has a nine-rung ladder opening on rung 2, just after the Damascus strike', () => {
    expect(s.ladder.rungs.map((r) => r.level)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.ladder.initial).toBe(2);
  });
});

describe('april-2024 scenario: beats', () => {
  it('gives every beat a timer of 4 to 10 minutes and a public situation', () => {
    for (const b of s.beats) {
      expect(b.timerSeconds, b.id).toBeGreaterThanOrEqual(240);
      expect(b.timerSeconds, b.id).toBeLessThanOrEqual(600);
      expect(b.situation.length, b.id).toBeGreaterThan(80);
    }
  });

  it('briefs exactly the seats that act in each beat, required seats included wherever they act', () => {
    for (const b of s.beats) {
      expect(Object.keys(b.briefings).sort(), b.id).toEqual(b.actors.map((a) => a.seat).sort());
      for (const a of b.actors) expect(b.briefings[a.seat]?.length ?? 0, `${b.id}/${a.seat}`).toBeGreaterThan(80);
    }
    const briefings = s.beats.flatMap((b) => Object.values(b.briefings));
    expect(new Set(briefings).size).toBe(briefings.length);
  });

  it('offers every acting seat a prompt, 3 to 6 moves and a default among them', () => {
    for (const b of s.beats)
      for (const a of b.actors) {
        expect(a.prompt.length).toBeGreaterThan(0);
        expect(a.moves.length, `${b.id}/${a.seat}`).toBeGreaterThanOrEqual(3);
        expect(a.moves.length, `${b.id}/${a.seat}`).toBeLessThanOrEqual(6);
        expect(a.moves.map((m) => m.id)).toContain(a.defaultMove);
        for (const m of a.moves) {
          expect(m.title.length).toBeGreaterThan(0);
          expect(m.description.length).toBeGreaterThan(0);
          expect(m.outcomeText.length).toBeGreaterThan(0);
        }
      }
  });

  it('has the four required seats acting in every historical beat (the mediators sit out the night of the strike)', () => {
    for (const id of HISTORICAL_BEATS) {
      const seats = beat(id).actors.map((a) => a.seat);
      for (const seat of REQUIRED) {
        if (id === 'strike-and-defence' && seat === 'mediators') continue;
        expect(seats, `${id}/${seat}`).toContain(seat);
      }
    }
  });

  it('keeps Iran’s response decision secret, with the fixed menu', () => {
    expect(moveIds('iran-decision', 'iran')).toEqual([
      'strategic-patience',
      'proxy-response',
      'covert-cyber',
      'telegraphed-strike',
      'massive-strike',
      'nuclear-signalling',
    ]);
    for (const m of actor('iran-decision', 'iran').moves) expect(m.visibility, m.id).toBe('actor');
  });

  it('gives Israel exactly the four retaliation options, and the US and Iran theirs', () => {
    expect(moveIds('israel-decision', 'israel')).toEqual(['take-the-win', 'limited-strike', 'major-strike', 'covert-action']);
    expect(moveIds('israel-decision', 'us')).toEqual(expect.arrayContaining(['press-restraint', 'green-light', 'join-strike']));
    expect(moveIds('israel-decision', 'iran')).toEqual(expect.arrayContaining(['threaten-escalation', 'signal-acceptance', 'mobilise-proxies']));
    expect(moveIds('iran-counterstrike', 'iran')).toEqual(['absorb-and-claim', 'limited-reply', 'full-barrage', 'nuclear-breakout']);
    expect(moveIds('iran-counterstrike', 'us')).toEqual(expect.arrayContaining(['defend-only', 'join-offensive', 'restrain-israel']));
    expect(moveIds('shadow-war', 'israel')).toEqual(expect.arrayContaining(['strike-proxies', 'strike-iran-directly', 'hold']));
  });

  it('lets optional seats act in a few beats only, with defaults that change nothing when they are absent', () => {
    for (const seat of OPTIONAL) {
      const beats = s.beats.filter((b) => b.actors.some((a) => a.seat === seat));
      expect(beats.length, seat).toBeGreaterThanOrEqual(2);
      expect(beats.length, seat).toBeLessThan(s.beats.length / 2 + 1);
      for (const b of beats) {
        const a = actor(b.id, seat);
        const def = a.moves.find((m) => m.id === a.defaultMove);
        expect(def?.effects, `${b.id}/${seat}`).toEqual([]);
        // The engine narrates defaults even for absent seats: keep them out of the public record.
        expect(def?.visibility, `${b.id}/${seat}`).not.toBe('public');
      }
    }
  });

  it('adjudicates the night of the strike with a seeded interception draw of three options', () => {
    const d = beat('strike-and-defence').draws.find((x) => x.id === 'interception');
    expect(d?.options.map((o) => o.id)).toEqual(['near-total', 'partial', 'breakthrough']);
    const places = d?.options.flatMap((o) => o.marks.map((m) => m.place)) ?? [];
    expect(places).toEqual(expect.arrayContaining(['jordan', 'israel', 'nevatim']));
    const launches = beat('strike-and-defence').actors.flatMap((a) => a.moves.flatMap((m) => m.marks)).filter((m) => m.kind === 'launch');
    expect(launches.map((m) => m.from)).toEqual(expect.arrayContaining(['western-iran', 'iraq', 'yemen', 'southern-lebanon']));
  });
});

describe('april-2024 scenario: the branch graph', () => {
  it('leads to every one of the outcomes from some beat', () => {
    const referenced = new Set(s.beats.flatMap((b) => b.next.flatMap((n) => ('outcome' in n ? [n.outcome] : []))));
    for (const o of OUTCOMES) expect(referenced, o).toContain(o);
  });

  it('branches after Iran’s decision: a direct strike opens the signalling window, anything else the shadow war', () => {
    const next = beat('iran-decision').next;
    expect(next.map((n) => ('beat' in n ? n.beat : n.outcome))).toEqual(['signalling-window', 'shadow-war']);
    expect(next[1]?.when).toBeUndefined();
  });

  it('checks the nuclear threshold first after Israel’s decision, and answers it in a beat of its own', () => {
    const first = beat('israel-decision').next[0];
    expect(first && 'beat' in first ? first.beat : null).toBe('nuclear-answer');
    for (const id of ['shadow-war', 'iran-counterstrike'])
      expect(beat(id).next.some((n) => 'beat' in n && n.beat === 'nuclear-answer'), id).toBe(true);
    // Israel and the United States both get to answer, with the nuclear instruments.
    expect(moveIds('nuclear-answer', 'us')).toEqual(
      expect.arrayContaining(['refer-to-iaea-board', 'press-for-snapback', 'offer-talks-via-oman', 'bomb-facilities-with-israel']),
    );
    expect(moveIds('nuclear-answer', 'israel')).toEqual(expect.arrayContaining(['bomb-nuclear-facilities', 'sabotage-nuclear-programme']));
  });

  it('only ever asks about choices that can already have been made', () => {
    // Predecessors of each beat (including itself): a `chose` must name a move of one of them.
    const preds = new Map<string, Set<string>>(s.beats.map((b) => [b.id, new Set([b.id])]));
    for (let changed = true; changed; ) {
      changed = false;
      for (const b of s.beats)
        for (const n of b.next)
          if ('beat' in n) {
            const target = preds.get(n.beat);
            for (const p of preds.get(b.id) ?? [])
              if (target && !target.has(p)) {
                target.add(p);
                changed = true;
              }
          }
    }
    const beatOfMove = new Map(s.beats.flatMap((b) => b.actors.flatMap((a) => a.moves.map((m) => [m.id, b.id] as const))));
    everyCondition((c, where) => {
      if (!('chose' in c) || where.startsWith('channel')) return;
      const home = beatOfMove.get(c.chose.move);
      expect(home && preds.get(where)?.has(home), `${where} asks about ${c.chose.move}`).toBe(true);
    });
  });

  it('sets every flag that a condition reads', () => {
    const settable = new Set([...s.initialFlags, ...everyEffect(s).flatMap((e) => (e.kind === 'flag' && e.set ? [e.flag] : []))]);
    everyCondition((c, where) => {
      if ('flag' in c) expect(settable.has(c.flag), `${where} reads ${c.flag}`).toBe(true);
    });
  });
});

describe('april-2024 scenario: the historical path', () => {
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
});

describe('april-2024 scenario: counterfactual paths', () => {
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

  describe('the nuclear answer', () => {
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
  });

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
});

describe('april-2024 scenario: injects and channels', () => {
  it('offers five to eight injects, including the direct line and the IAEA report', () => {
    expect(s.injects.length).toBeGreaterThanOrEqual(5);
    expect(s.injects.length).toBeLessThanOrEqual(8);
    const direct = s.injects.find((i) => i.id === 'direct-line-opened');
    expect(direct?.effects).toContainEqual({ kind: 'flag', flag: 'direct-line-open', set: true });
    const iaea = s.injects.find((i) => i.id === 'iaea-report');
    expect(iaea?.effects.some((e) => e.kind === 'measure' && e.seat === 'iran' && e.measure === 'nuclear-latency' && e.delta > 0)).toBe(true);
  });

  it('has a public channel for all, a team channel per seat and the bilateral lines', () => {
    const ch = (id: string) => s.channels.find((c) => c.id === id);
    expect(ch('public')?.kind).toBe('public');
    expect(ch('public')?.members.sort()).toEqual(s.seats.map((x) => x.id).sort());
    for (const seat of s.seats) expect(ch(`team-${seat.id}`), seat.id).toMatchObject({ kind: 'team', members: [seat.id] });
    for (const id of ['israel-us', 'us-mediators', 'iran-mediators', 'israel-mediators', 'us-jordan', 'iran-hezbollah', 'eu-iran']) {
      expect(ch(id)?.kind, id).toBe('bilateral');
      expect(ch(id)?.members.length, id).toBe(2);
    }
  });

  it('routes Iran–US talk through the mediators, with a direct line closed until a flag opens it', () => {
    const mediated = s.channels.find((c) => c.id === 'iran-us-mediated');
    expect(mediated).toMatchObject({ kind: 'mediated', relay: 'mediators' });
    expect(mediated?.members.sort()).toEqual(['iran', 'mediators', 'us']);
    const direct = s.channels.find((c) => c.id === 'iran-us-direct');
    expect(direct).toMatchObject({ kind: 'bilateral', members: ['iran', 'us'], opensWhen: { flag: 'direct-line-open' } });
    expect(s.initialFlags).not.toContain('direct-line-open');
    // No other channel lets Iran and the US talk without the mediators.
    const together = s.channels.filter((c) => c.kind !== 'public' && c.members.includes('iran') && c.members.includes('us'));
    expect(together.map((c) => c.id).sort()).toEqual(['iran-us-direct', 'iran-us-mediated']);
  });
});

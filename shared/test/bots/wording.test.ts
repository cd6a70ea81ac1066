import { describe, expect, it } from 'vitest';
import { shippedScenario } from '../../node/scenario-files.ts';
import { createGame, initialState } from '../../src/game/game.ts';
import { botViewFor, type BotView } from '../../src/game/bot-view.ts';
import type { Message } from '../../src/game/channel-policy.ts';
import { composeMessages, fill, relaysFor } from '../../src/bots/messages.ts';
import { personasFor, type Persona } from '../../src/bots/index.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { seatInSentence } from '../../src/scenario/in-sentence.ts';

/**
 * Every line a bot can send, for every seat and every partner the scenario lets it write to, rendered
 * through the same code the game uses: a line is picked by index through the seeded random, so the
 * test reaches each one.
 */

/** A random source that yields `values` in turn: 0 lets every chance pass, (i + ½) / n picks line i. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++] ?? 0;
}
const pick = (i: number, n: number) => (i + 0.5) / n;

/** The view with only `channel` writable: composeMessages then writes there alone. */
function only(view: BotView, channel: string): BotView {
  return { ...view, channels: view.channels.map((c) => (c.id === channel ? c : { ...c, canWrite: false })) };
}

function renderedLines(scenario: Scenario): { seat: string; persona: string; text: string }[] {
  const optionalSeats = scenario.seats.filter((s) => s.optional).map((s) => s.id);
  const game = createGame(scenario, { scenarioId: scenario.id, seed: 'wording', review: false, optionalSeats });
  const state = initialState(game);
  const out: { seat: string; persona: string; text: string }[] = [];
  for (const seat of scenario.seats) {
    const view = botViewFor(game, state, seat.id);
    for (const persona of personasFor(scenario, seat.id)) {
      const say = (text: string) => out.push({ seat: seat.id, persona: persona.id, text });
      const compose = (v: BotView, random: () => number) => composeMessages(persona, { view: v, messages: [], random, escalationOf: () => null }, 0);
      for (const c of view.channels.filter((x) => x.canWrite)) {
        const lines = c.kind === 'public' ? persona.voice.public : persona.voice.private;
        for (let i = 0; i < lines.length; i++) for (const m of compose(only(view, c.id), sequence([0, pick(i, lines.length)]))) say(m.text);
      }
      for (const c of view.channels.filter((x) => x.kind === 'mediated' && x.relay === seat.id))
        for (const from of c.members.filter((s) => s !== seat.id))
          for (let i = 0; i < persona.voice.relay.length; i++) {
            const m: Message = { id: `m-${from}`, seq: 1, at: 1, channel: c.id, from, text: 'We seek calm.', audience: c.members, to: null, relayOf: null };
            const input = { view, messages: [m], random: sequence([pick(i, persona.voice.relay.length)]), escalationOf: () => null };
            for (const r of relaysFor(persona, input)) say(r.text);
          }
    }
  }
  return out;
}

/** Where `text` names a seat by its bare name although the scenario gives another form for sentences. */
function bareNames(scenario: Scenario, text: string): string[] {
  return scenario.seats.flatMap((s) => {
    const form = seatInSentence(s);
    if (form === s.name) return [];
    const rest = text.split(form).join('').split(form.charAt(0).toUpperCase() + form.slice(1)).join('');
    return rest.includes(s.name) ? [s.name] : [];
  });
}

/** Sentences (split after . ! ?) that do not start with a capital, quotation marks aside. */
function uncapitalised(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).filter((s) => /^[“"‘]?\p{Ll}/u.test(s));
}

describe('bots’ lines read as English', () => {
  for (const id of ['april-2024', 'practice-tanker']) {
    it(`${id}: every private, public and relay line, for every seat and partner, names seats in their in-sentence form and starts sentences with a capital`, () => {
      const scenario = shippedScenario(id);
      const lines = renderedLines(scenario);
      // Every persona's lines were reached, and the private ones with a partner filled in.
      expect(lines.length).toBeGreaterThan(scenario.seats.length * 6);
      expect(lines.some((l) => l.text.includes('passed on'))).toBe(true);
      const bad = lines.flatMap((l) => [
        ...bareNames(scenario, l.text).map((n) => `${l.seat}/${l.persona}: bare "${n}" in "${l.text}"`),
        ...uncapitalised(l.text).map((s) => `${l.seat}/${l.persona}: "${s}" starts lower-case`),
        ...(/s[’']s\b/.test(l.text) ? [`${l.seat}/${l.persona}: "s’s" in "${l.text}"`] : []),
        ...(/\{\w+\}/.test(l.text) ? [`${l.seat}/${l.persona}: placeholder left in "${l.text}"`] : []),
      ]);
      expect(bad).toEqual([]);
    });
  }

  it('the shipped scenario gives the United States and the mediators their article', () => {
    const scenario = shippedScenario('april-2024');
    const form = (seat: string) => seatInSentence(scenario.seats.find((s) => s.id === seat)!);
    expect([form('us'), form('mediators'), form('iran')]).toEqual(['the United States', 'the mediators', 'Iran']);
  });
});

describe('fill', () => {
  const scenario = shippedScenario('april-2024');
  const game = createGame(scenario, { scenarioId: scenario.id, seed: 'fill', review: false });
  const view = botViewFor(game, initialState(game), 'us');
  const persona: Persona = personasFor(scenario, 'us')[0]!;

  it('capitalises a placeholder that starts a sentence, not one inside it', () => {
    const other = 'the mediators';
    expect(fill('{other} should know. Tell {other} so! {other}?', view, persona, { other })).toBe('The mediators should know. Tell the mediators so! The mediators?');
    expect(fill('{me} is here.', view, persona)).toBe('The United States is here.');
  });

  it('writes the possessive of a name ending in s with the apostrophe alone', () => {
    expect(fill('We back {other}’s right and {me}’s.', view, persona, { other: 'Israel' })).toBe('We back Israel’s right and the United States’.');
  });

  it('leaves unknown placeholders as written', () => {
    expect(fill('{nobody} is here', view, persona)).toBe('{nobody} is here');
  });
});

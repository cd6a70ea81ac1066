import type { BotView } from '../game/bot-view.ts';
import type { WireMessage } from '../game/viewer-stream.ts';
import type { BotInput, BotMessage, Persona } from './types.ts';
import { capitalised, possessive } from '../scenario/in-sentence.ts';

/** Chance per beat that a persona writes in a private channel it belongs to (the relay always relays). */
const PRIVATE_CHANCE = 0.45;
/** At most this many messages per beat, so a bot reads like a team, not a flood. */
const MAX_PER_BEAT = 3;
const QUOTE_MAX = 180;

export function pickOne(lines: readonly string[], random: () => number): string {
  return lines[Math.floor(random() * lines.length)] ?? lines[0] ?? '';
}

/** A seat as a sentence names it ("the United States"): lines embed seats mid-sentence, never as a bare label. */
function seatName(view: BotView, seat: string): string {
  return view.scenario.seats.find((s) => s.id === seat)?.inSentence ?? seat;
}

// A placeholder, with the possessive that may follow it (’s or 's).
const PLACEHOLDER = /\{(\w+)\}(?:([’'])s\b)?/g;
// What precedes a placeholder that starts a sentence: nothing, or a sentence's end and a space.
const SENTENCE_START = /(?:^|[.!?][”’"')]?\s+)$/;

/**
 * Fills {me}, {other}, {ladder}, {beat} and any extra placeholders; unknown ones are left as written.
 * Values are written as they read mid-sentence ("the mediators"): one that starts a sentence gets
 * its capital, and the possessive of one ending in s is the apostrophe alone ("the United States’").
 */
export function fill(template: string, view: BotView, persona: Persona, extra: Record<string, string> = {}): string {
  if (!template.includes('{')) return template;
  const rung = view.scenario.rungs.find((r) => r.level === view.world.ladder)?.name ?? String(view.world.ladder);
  const values: Record<string, string> = {
    me: seatName(view, persona.seat),
    ladder: rung.toLowerCase(),
    beat: view.beat?.title ?? '',
    ...extra,
  };
  return template.replace(PLACEHOLDER, (whole, key: string, apostrophe: string | undefined, at: number) => {
    const value = values[key];
    if (value === undefined) return whole;
    const text = SENTENCE_START.test(template.slice(0, at)) ? capitalised(value) : value;
    return apostrophe === undefined ? text : possessive(text, apostrophe);
  });
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_MAX ? `${flat.slice(0, QUOTE_MAX - 1)}…` : flat;
}

/**
 * Messages in mediated channels where this seat is the relay, written by a
 * principal and not yet passed on by this seat: what a mediator owes.
 */
export function unrelayed(view: BotView, messages: readonly WireMessage[], seat: string): WireMessage[] {
  const mediated = new Set(view.channels.filter((c) => c.kind === 'mediated' && c.relay === seat && c.canWrite).map((c) => c.id));
  if (mediated.size === 0) return [];
  const relayed = new Set(messages.filter((m) => m.from === seat && m.relayOf).map((m) => m.relayOf));
  return messages.filter((m) => mediated.has(m.channel) && m.from !== null && m.from !== seat && !relayed.has(m.id));
}

/** The relay's messages passing each owed message on to the channel's other principals. */
export function relaysFor(persona: Persona, input: BotInput, limit = MAX_PER_BEAT): BotMessage[] {
  const { view } = input;
  const out: BotMessage[] = [];
  for (const m of unrelayed(view, input.messages, persona.seat).slice(-limit)) {
    const channel = view.channels.find((c) => c.id === m.channel);
    const to = channel?.members.find((s) => s !== persona.seat && s !== m.from);
    if (!m.from) continue;
    const text = fill(pickOne(persona.voice.relay, input.random), view, persona, { from: seatName(view, m.from), text: quote(m.text) });
    out.push({ channel: m.channel, text, relayOf: m.id, ...(to ? { to } : {}) });
  }
  return out;
}

/**
 * What a persona says this beat: relays it owes, perhaps a public statement,
 * perhaps a word in a private channel. Channels come from the view, so a
 * closed or absent channel is never written to.
 */
export function composeMessages(persona: Persona, input: BotInput, stance: number): BotMessage[] {
  const { view, random } = input;
  const out: BotMessage[] = relaysFor(persona, input);
  const tone = stance > 0.33 ? 'firm' : stance < -0.33 ? 'conciliatory' : 'measured';
  const pub = view.channels.find((c) => c.kind === 'public' && c.canWrite);
  // No statement two beats running: a seat that spoke last beat lets it stand.
  const sinceLastBeat = view.resolutions.at(-2)?.at ?? 0;
  const spokeLately = input.messages.some((m) => m.from === persona.seat && m.channel === pub?.id && m.at > sinceLastBeat);
  if (pub && !spokeLately && random() < persona.vocal)
    out.push({ channel: pub.id, text: fill(pickOne(persona.voice.public, random), view, persona, { tone }) });
  // Seats that relay a mediated channel are intermediaries: a principal talks to them there, not on the side.
  const relays = new Set(view.channels.flatMap((c) => (c.kind === 'mediated' && c.relay ? [c.relay] : [])));
  for (const c of view.channels) {
    if (out.length >= MAX_PER_BEAT) break;
    if (!c.canWrite || (c.kind !== 'bilateral' && c.kind !== 'mediated') || c.relay === persona.seat) continue;
    // In a mediated channel {other} is the far principal the relay is to tell; in a bilateral one, the partner.
    const other =
      c.kind === 'mediated'
        ? c.members.find((s) => s !== persona.seat && s !== c.relay)
        : c.members.find((s) => s !== persona.seat);
    if (!other || (c.kind === 'bilateral' && relays.has(other) && !relays.has(persona.seat))) continue;
    if (random() >= PRIVATE_CHANCE) continue;
    out.push({ channel: c.id, text: fill(pickOne(persona.voice.private, random), view, persona, { other: seatName(view, other), tone }) });
  }
  return out.slice(0, MAX_PER_BEAT);
}

import { refuse, type Refusal } from '../errors.ts';
import type { Scenario, SeatId } from '../scenario/schema.ts';
import type { Persona, PersonaVoice } from './types.ts';

/** What the catalogue reads of a scenario: its seats and its `personas:` section. */
type PersonaSource = Pick<Scenario, 'id' | 'seats' | 'personas'>;
/** What `personasFor` needs: the section alone. */
type PersonaData = Pick<Scenario, 'personas'>;

const GENERIC_VOICE: PersonaVoice = {
  restrain: ['We step back to keep this from getting worse.', 'Restraint serves us best today.'],
  hold: ['We keep our options open and our footing steady.', 'A measured step, no more.'],
  escalate: ['We have to show that this has a cost.', 'Standing still now would invite worse.'],
  public: ['{me} is following events closely and will act responsibly.', '{me} calls on everyone to think about what comes next.'],
  private: ['What does {other} intend? We would rather hear it from you.', '{me} wants to avoid a misunderstanding with {other}.'],
  relay: ['Passing on from {from}: “{text}”'],
};

/** Three temperaments that fit any seat of a scenario without a `personas:` section; they know nothing of its story. */
function genericPersonas(seat: SeatId): Persona[] {
  const base = { seat, reactivity: 0.4, receptiveness: 0.2, vocal: 0.4, favours: {}, voice: GENERIC_VOICE, rivals: [] as SeatId[] };
  return [
    { ...base, id: 'dove', name: 'Dove', summary: 'Prefers the least escalatory option on offer.', stance: -0.7 },
    { ...base, id: 'moderate', name: 'Moderate', summary: 'Prefers the middle of the menu.', stance: 0 },
    { ...base, id: 'hawk', name: 'Hawk', summary: 'Prefers the most escalatory option on offer.', stance: 0.7, reactivity: 0.7 },
  ];
}

// Personas are built once per scenario object: bots and the simulator ask for them on every decision.
const cache = new WeakMap<PersonaData, Map<SeatId, Persona[]>>();

/** Every persona available for a seat of a scenario: its own (scenario data), or the generic three. */
export function personasFor(scenario: PersonaData, seat: SeatId): Persona[] {
  let bySeat = cache.get(scenario);
  if (!bySeat) {
    bySeat = new Map();
    cache.set(scenario, bySeat);
  }
  let personas = bySeat.get(seat);
  if (!personas) {
    const own = scenario.personas?.seats[seat] ?? [];
    // A line a persona lacks (a seat that never relays has no relay lines) falls back to the generic wording.
    personas = own.length > 0 ? own.map((p) => ({ ...p, seat, voice: withFallbacks(p.voice) })) : genericPersonas(seat);
    bySeat.set(seat, personas);
  }
  return personas;
}

function withFallbacks(voice: PersonaVoice): PersonaVoice {
  return voice.relay.length > 0 ? voice : { ...voice, relay: GENERIC_VOICE.relay };
}

export function findPersona(scenario: PersonaData, seat: SeatId, id: string): Persona | undefined {
  return personasFor(scenario, seat).find((p) => p.id === id);
}

/** The persona a seat gets when nobody picks one. */
export function defaultPersona(scenario: PersonaData, seat: SeatId): Persona {
  const id = scenario.personas?.defaults[seat];
  const all = personasFor(scenario, seat);
  const persona = (id ? all.find((p) => p.id === id) : undefined) ?? all.find((p) => p.id === 'moderate') ?? all[0];
  if (!persona) throw new Error(`no persona for ${seat}`);
  return persona;
}

export type PersonaMix = Record<SeatId, Persona>;

/** A persona per seat: those named in `choice`, the default for every other seat. */
export function personaMix(scenario: PersonaSource, choice: Record<SeatId, string> = {}): PersonaMix {
  const mix: PersonaMix = {};
  for (const seat of scenario.seats) {
    const id = choice[seat.id];
    const persona = id ? findPersona(scenario, seat.id, id) : defaultPersona(scenario, seat.id);
    if (!persona) throw new Error(`"${id}" is not a persona of ${seat.id}; choose one of ${personasFor(scenario, seat.id).map((p) => p.id).join(', ')}`);
    mix[seat.id] = persona;
  }
  for (const seat of Object.keys(choice))
    if (!scenario.seats.some((s) => s.id === seat)) throw new Error(`"${seat}" is not a seat of ${scenario.id}`);
  return mix;
}

/** Parses "iran=hard-liner,israel=take-the-win" into seat → persona id (checked by `personaMix`). */
export function parseMixSpec(spec: string): Record<SeatId, string> {
  const out: Record<SeatId, string> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [seat, id, ...rest] = part.split('=').map((s) => s.trim());
    if (!seat || !id || rest.length > 0) throw new Error(`"${part}" should be seat=persona`);
    // A seat named twice is a typo to show, not a choice to make silently (the later one would win).
    if (Object.hasOwn(out, seat)) throw new Error(`${seat} is named twice (${seat}=${out[seat]} and ${seat}=${id}); give one persona per seat`);
    out[seat] = id;
  }
  return out;
}

/** The compact label of a mix, the inverse of `parseMixSpec` over the seats given. */
export function mixLabel(mix: PersonaMix, seats: readonly SeatId[] = Object.keys(mix)): string {
  return seats.map((s) => `${s}=${mix[s]?.id ?? '?'}`).join(',');
}

/** The bot id of a seat played by a language model (see the server's LLM adapter). */
export const LLM_BOT = 'llm';

/** Why `bot` cannot play `seat` (null: it can). The legality rule of SET_SEAT_BOT. */
export function seatBotProblem(scenario: PersonaSource, seatsInPlay: readonly SeatId[], seat: SeatId, bot: string | null): string | null {
  if (!scenario.seats.some((s) => s.id === seat)) return `There is no seat "${seat}".`;
  if (!seatsInPlay.includes(seat)) return `${seat} is not in play in this session.`;
  if (bot === null || bot === LLM_BOT) return null;
  if (findPersona(scenario, seat, bot)) return null;
  return `"${bot}" is not a persona of ${seat}; choose one of ${personasFor(scenario, seat).map((p) => p.id).join(', ')}.`;
}

/**
 * Why this server cannot hand a seat to `bot` (null: it can): a language model only where one is
 * configured. The guard of the Setup page's choice and the server's refusal of SET_SEAT_BOT both.
 * A rule of the server, not of the game (seatBotProblem): a log that handed a seat to the model
 * when one was configured must still replay on a server without one, where the seat then plays
 * its default move, so it is checked when a command is first decided, never when one is replayed.
 */
export function seatBotUnavailable(bot: string | null, llm: BotOptions['llm']): Refusal | null {
  return bot === LLM_BOT && !llm.available ? refuse('no_model', llm.reason) : null;
}

/** A persona as the Setup page lists it: who it is, not how it plays. */
export interface PersonaChoice {
  id: string;
  name: string;
  summary: string;
}

/** What a facilitator may hand each seat to: `GET /api/scenarios/:id/bots`. */
export interface BotOptions {
  /** Per seat: its personas and the one it gets when nobody picks. */
  seats: Record<SeatId, { personas: PersonaChoice[]; default: string }>;
  /** Whether this server can seat a language model (LLM_BASE_URL and LLM_MODEL), and if not, why. */
  llm: { available: true; model: string } | { available: false; reason: string };
}

export function personaChoices(scenario: PersonaSource): BotOptions['seats'] {
  return Object.fromEntries(
    scenario.seats.map((s) => [
      s.id,
      { personas: personasFor(scenario, s.id).map(({ id, name, summary }) => ({ id, name, summary })), default: defaultPersona(scenario, s.id).id },
    ]),
  );
}

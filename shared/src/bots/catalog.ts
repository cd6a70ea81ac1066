import type { Scenario, SeatId } from '../scenario/schema.ts';
import type { Persona, PersonaVoice } from './types.ts';
import { APRIL_2024_DEFAULT_MIX, APRIL_2024_PERSONAS } from './data/april-2024.ts';

/** Persona data keyed by scenario id. A scenario without an entry gets the generic three per seat. */
const BY_SCENARIO: Record<string, { personas: Persona[]; defaultMix: Record<SeatId, string> }> = {
  'april-2024': { personas: APRIL_2024_PERSONAS, defaultMix: APRIL_2024_DEFAULT_MIX },
};

const GENERIC_VOICE: PersonaVoice = {
  restrain: ['We step back to keep this from getting worse.', 'Restraint serves us best today.'],
  hold: ['We keep our options open and our footing steady.', 'A measured step, no more.'],
  escalate: ['We have to show that this has a cost.', 'Standing still now would invite worse.'],
  public: ['{me} is following events closely and will act responsibly.', '{me} calls on everyone to think about what comes next.'],
  private: ['What does {other} intend? We would rather hear it from you.', '{me} wants to avoid a misunderstanding with {other}.'],
  relay: ['Passing on from {from}: “{text}”'],
};

/** Three temperaments that fit any seat of any scenario; they know nothing of its story. */
function genericPersonas(seat: SeatId): Persona[] {
  const base = { seat, reactivity: 0.4, receptiveness: 0.2, vocal: 0.4, favours: {}, voice: GENERIC_VOICE };
  return [
    { ...base, id: 'dove', name: 'Dove', summary: 'Prefers the least escalatory option on offer.', stance: -0.7 },
    { ...base, id: 'moderate', name: 'Moderate', summary: 'Prefers the middle of the menu.', stance: 0 },
    { ...base, id: 'hawk', name: 'Hawk', summary: 'Prefers the most escalatory option on offer.', stance: 0.7, reactivity: 0.7 },
  ].map((p) => ({ ...p, rivals: [] as SeatId[] }));
}

/** Every persona available for a seat of a scenario. */
export function personasFor(scenario: Pick<Scenario, 'id'>, seat: SeatId): Persona[] {
  const data = BY_SCENARIO[scenario.id]?.personas.filter((p) => p.seat === seat) ?? [];
  return data.length > 0 ? data : genericPersonas(seat);
}

export function findPersona(scenario: Pick<Scenario, 'id'>, seat: SeatId, id: string): Persona | undefined {
  return personasFor(scenario, seat).find((p) => p.id === id);
}

/** The persona a seat gets when nobody picks one. */
export function defaultPersona(scenario: Pick<Scenario, 'id'>, seat: SeatId): Persona {
  const id = BY_SCENARIO[scenario.id]?.defaultMix[seat];
  const all = personasFor(scenario, seat);
  const persona = (id ? all.find((p) => p.id === id) : undefined) ?? all.find((p) => p.id === 'moderate') ?? all[0];
  if (!persona) throw new Error(`no persona for ${seat}`);
  return persona;
}

export type PersonaMix = Record<SeatId, Persona>;

/** A persona per seat: those named in `choice`, the default for every other seat. */
export function personaMix(scenario: Pick<Scenario, 'id' | 'seats'>, choice: Record<SeatId, string> = {}): PersonaMix {
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
export function seatBotProblem(scenario: Pick<Scenario, 'id' | 'seats'>, seatsInPlay: readonly SeatId[], seat: SeatId, bot: string | null): string | null {
  if (!scenario.seats.some((s) => s.id === seat)) return `There is no seat "${seat}".`;
  if (!seatsInPlay.includes(seat)) return `${seat} is not in play in this session.`;
  if (bot === null || bot === LLM_BOT) return null;
  if (findPersona(scenario, seat, bot)) return null;
  return `"${bot}" is not a persona of ${seat}; choose one of ${personasFor(scenario, seat).map((p) => p.id).join(', ')}.`;
}

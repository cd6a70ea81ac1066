import { z } from 'zod';
import { Slug as Id } from './slug.ts';
import type { Scenario } from './schema.ts';
import type { ScenarioProblem } from './load.ts';

/**
 * The bot personas of a scenario: per seat, a few temperaments with their
 * words, and the persona each seat gets when nobody picks one. The generic
 * policy (shared/src/bots/policy.ts) turns a persona into choices from any
 * menu, so a new scenario gets bots by writing this section, with no code.
 * `personaProblems` checks that every seat, move and placeholder it names is
 * real. Like the teaching layer, this module imports the scenario schema as a
 * type only (schema.ts embeds these schemas).
 */

const Ref = z.string().min(1).max(64);
const Lines = z.array(z.string().min(1).max(400)).min(1);

/** How a persona argues and talks. Templates may use the placeholders in `PLACEHOLDERS`. */
export const PersonaVoice = z
  .object({
    /** Rationale openings, by the direction of the chosen move on the menu's escalation scale. */
    restrain: Lines,
    hold: Lines,
    escalate: Lines,
    /** Public statements. */
    public: Lines,
    /** To a partner or mediator in a private channel. */
    private: Lines,
    /** Passing a message on, as the relay of a mediated channel. Needed only by a seat that relays. */
    relay: z.array(z.string().min(1).max(400)).default([]),
  })
  .strict();
export type PersonaVoice = z.infer<typeof PersonaVoice>;

export const PersonaDef = z
  .object({
    /** Unique within its seat, e.g. "hard-liner". */
    id: Id,
    name: z.string().min(1).max(60),
    summary: z.string().min(1).max(300),
    /** −1: always the least escalatory move on the menu; +1: always the most. */
    stance: z.number().min(-1).max(1),
    /** How far what rivals did in the last beat moves the stance (tit for tat). */
    reactivity: z.number().min(0).max(2),
    /** How far diplomatic messages received this beat pull the stance down. */
    receptiveness: z.number().min(0).max(2),
    /** Chance per beat of a public statement. */
    vocal: z.number().min(0).max(1),
    /** Seats whose escalation this persona answers in kind. */
    rivals: z.array(Ref).default([]),
    /** Move ids of this seat that the persona favours, with a weight multiplier. */
    favours: z.record(Ref, z.number().positive().max(20)).default({}),
    voice: PersonaVoice,
  })
  .strict();
export type PersonaDef = z.infer<typeof PersonaDef>;

export const Personas = z
  .object({
    /** The persona a seat gets when nobody picks one, by seat. */
    defaults: z.record(Ref, Id).default({}),
    /** The personas of each seat. */
    seats: z.record(Ref, z.array(PersonaDef).min(1)),
  })
  .strict();
export type Personas = z.infer<typeof Personas>;

/** The placeholders each kind of line may use; `{me}`, `{ladder}` and `{beat}` work everywhere. */
export const PLACEHOLDERS: Readonly<Record<keyof PersonaVoice, readonly string[]>> = {
  restrain: ['move'],
  hold: ['move'],
  escalate: ['move'],
  public: ['tone'],
  private: ['other', 'tone'],
  relay: ['from', 'text'],
};
const EVERYWHERE = ['me', 'ladder', 'beat'];

/** Which ids and placeholders in the personas do not resolve against the scenario, each at its key path. */
export function personaProblems(s: Scenario): ScenarioProblem[] {
  const p = s.personas;
  if (!p) return [];
  const problems: ScenarioProblem[] = [];
  const problem = (path: (string | number)[], message: string) => problems.push({ path: ['personas', ...path], message });
  const seats = new Set(s.seats.map((x) => x.id));
  const movesOf = (seat: string) => new Set(s.beats.flatMap((b) => b.actors.filter((a) => a.seat === seat).flatMap((a) => a.moves.map((m) => m.id))));
  const relays = new Set(s.channels.flatMap((c) => (c.kind === 'mediated' && c.relay ? [c.relay] : [])));

  for (const [seat, personas] of Object.entries(p.seats)) {
    if (!seats.has(seat)) {
      problem(['seats', seat], `unknown seat "${seat}"`);
      continue;
    }
    const moves = movesOf(seat);
    const ids = new Set<string>();
    personas.forEach((persona, i) => {
      const at = ['seats', seat, i];
      if (ids.has(persona.id)) problem([...at, 'id'], `duplicate persona "${persona.id}" of ${seat}`);
      ids.add(persona.id);
      persona.rivals.forEach((r, k) => {
        if (!seats.has(r)) problem([...at, 'rivals', k], `unknown seat "${r}"`);
      });
      for (const move of Object.keys(persona.favours))
        if (!moves.has(move)) problem([...at, 'favours', move], `"${move}" is not a move of ${seat} in any beat`);
      if (relays.has(seat) && persona.voice.relay.length === 0)
        problem([...at, 'voice'], `${seat} relays a mediated channel, so its personas need relay lines`);
      for (const [kind, lines] of Object.entries(persona.voice) as [keyof PersonaVoice, string[]][]) {
        const allowed = new Set([...EVERYWHERE, ...PLACEHOLDERS[kind]]);
        lines.forEach((line, k) => {
          for (const [, name] of line.matchAll(/\{(\w+)\}/g))
            if (name && !allowed.has(name)) problem([...at, 'voice', kind, k], `unknown placeholder {${name}} (a ${kind} line may use ${[...allowed].map((a) => `{${a}}`).join(', ')})`);
        });
      }
    });
  }
  for (const [seat, id] of Object.entries(p.defaults)) {
    if (!seats.has(seat)) problem(['defaults', seat], `unknown seat "${seat}"`);
    else if (!p.seats[seat]?.some((x) => x.id === id)) problem(['defaults', seat], `"${id}" is not a persona of ${seat}`);
  }
  return problems;
}

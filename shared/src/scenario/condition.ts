import { z } from 'zod';
import { SeatId, Slug } from './slug.ts';

// The small language of scenario data: the conditions its guards, texts and effects are read under, and the effects
// themselves. Apart from schema.ts (which re-exports it), so the scenario's structure and its language read separately.

/** Conditions are a small closed language so that guards stay data and stay pure. */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { flag: string }
  | { chose: { seat: SeatId; move: string } }
  | { ladder: { gte?: number; lte?: number } }
  | { measure: { seat: SeatId; measure: string; gte?: number; lte?: number } }
  | { drew: { draw: string; option: string } }
  | { seatInPlay: SeatId }
  | { relayed: RelayedQuery };

/**
 * A relay in a mediated channel: the relay seat passed on a message written
 * by `from` and it reached `to`, in `beat` (any beat so far when left out),
 * in `channel` (any mediated channel when left out).
 */
export interface RelayedQuery {
  from?: SeatId | undefined;
  to?: SeatId | undefined;
  beat?: string | undefined;
  channel?: string | undefined;
}

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    z.object({ flag: Slug }).strict(),
    z.object({ chose: z.object({ seat: SeatId, move: Slug }).strict() }).strict(),
    z.object({ ladder: z.object({ gte: z.number().int().optional(), lte: z.number().int().optional() }).strict() }).strict(),
    z
      .object({
        measure: z
          .object({ seat: SeatId, measure: Slug, gte: z.number().int().optional(), lte: z.number().int().optional() })
          .strict(),
      })
      .strict(),
    z.object({ drew: z.object({ draw: Slug, option: Slug }).strict() }).strict(),
    z.object({ seatInPlay: SeatId }).strict(),
    z
      .object({
        relayed: z
          .object({ from: SeatId.optional(), to: SeatId.optional(), beat: Slug.optional(), channel: Slug.optional() })
          .strict(),
      })
      .strict(),
  ]),
);

/**
 * A text shown instead of the base text when its condition holds: the first
 * variant whose `when` holds wins, else the base text is shown. When it is
 * chosen depends on the text (see `shared/src/game/texts.ts`): a beat's
 * situation and briefings when the beat opens, move, rule and draw texts at
 * adjudication, outcome descriptions when the game ends.
 */
export const Variant = z.object({ when: Condition, text: z.string().min(1) }).strict();
export type Variant = z.infer<typeof Variant>;

/** One change to the world. `when` makes it conditional on the world at adjudication time. */
export const Effect = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ladder'), delta: z.number().int(), when: Condition.optional() }).strict(),
  z
    .object({
      kind: z.literal('measure'),
      seat: SeatId,
      measure: Slug,
      delta: z.number().int(),
      when: Condition.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('flag'), flag: Slug, set: z.boolean(), when: Condition.optional() }).strict(),
]);
export type Effect = z.infer<typeof Effect>;

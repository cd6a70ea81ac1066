import { z } from 'zod';

/** The id of anything in a scenario file. Its own module so that schema.ts and the sections it embeds share it. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9-]*$/, 'lower-case slug: letters, digits and dashes');

/** A seat's id: a slug like any other, named for what it refers to. */
export const SeatId = Slug;
export type SeatId = z.infer<typeof SeatId>;

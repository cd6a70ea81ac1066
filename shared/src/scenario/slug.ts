import { z } from 'zod';

/** The id of anything in a scenario file. Its own module so that schema.ts and the sections it embeds share it. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9-]*$/, 'lower-case slug: letters, digits and dashes');

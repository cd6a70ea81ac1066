import { config } from 'zod';

/**
 * The server's Content-Security-Policy allows no eval. zod compiles fast
 * object parsers with `new Function` when it may, and probes for that when a
 * schema is built; under the policy the probe is refused and reported as a
 * violation. Parsing without compiled code is what this app needs anyway, so
 * zod is told not to try, before any schema module runs: boot.tsx imports
 * this module first.
 */
config({ jitless: true });

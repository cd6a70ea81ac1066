/**
 * The server's Content-Security-Policy allows no eval. zod compiles fast
 * object parsers with `new Function` when it may, and probes for that when an
 * object schema is built; under the policy the probe is refused and reported
 * as a violation. Parsing without compiled code is what this app needs anyway.
 *
 * zod keeps its settings on `globalThis.__zod_globalConfig` and adopts an
 * object already there, so this module sets it without importing zod: it has
 * no imports at all, and the entry (main.tsx) imports it first. Calling zod's
 * `config()` instead made this module depend on the chunk that holds zod and
 * the shared schemas, and the bundler is free to evaluate that chunk, schemas
 * and all, before this module's body: which it did once the shared code grew.
 */
const holder = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
holder.__zod_globalConfig = { ...holder.__zod_globalConfig, jitless: true };

export {};

/**
 * perf_hooks' `performance`, imported, for the code that reads the clock per command or per message. The global
 * `performance` is an accessor on globalThis: every read of it calls a getter through V8's LoadGlobalIC (about 170
 * instructions on Node 20 and on Node 24), where an imported binding is a module slot. The object is the same one.
 * What a test fakes with `vi.useFakeTimers({ toFake: ['performance'] })` is the global, which this binding does not
 * follow: code timed that way in its tests (KeyedQueue, SweptMap) reads the global.
 */
export { performance } from 'node:perf_hooks';

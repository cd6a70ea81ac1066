import { setFlagsFromString } from 'node:v8';

/**
 * TurboFan's budget for inlining into one optimized function, in bytecode bytes (V8's default
 * is 920). Every worker thread is a fresh V8 isolate that compiles the engine's hot functions
 * again on V8's shared helper threads; the largest of them (the adjudication's `propose`, the
 * personas' message composition) inline most of the engine and took 100-200 ms each to compile,
 * several times over after deopts. At 300 a one-worker run of 10,000 games spent 0.82-0.86 s on
 * the helper threads instead of 1.13-1.15 s, two workers 1.54-1.63 s instead of 1.90-2.11 s, and
 * the worker threads' own CPU per game did not rise (docs/performance/analysis-log.md, "Warm-up
 * per worker isolate").
 */
const INLINING_BUDGET = 300;

/**
 * Sets V8's compiler flags for a simulation run. Process-wide, so it is called by the simulate
 * command alone, before it starts its workers (an isolate reads the flags as it compiles).
 */
export function tuneV8ForSimulation(): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET}`);
}

import { setFlagsFromString } from 'node:v8';

/**
 * TurboFan's budget for inlining into one optimized function, in bytecode bytes (V8's default
 * is 920). Every worker thread is a fresh V8 isolate that compiles the engine's hot functions
 * again on V8's shared helper threads; the largest of them (the adjudication's `propose`, the
 * personas' message composition) inline most of the engine: `propose` took about 115 ms a compile
 * and was compiled three times, `composeMessages` four. At 300, runs of 10,000 games spent 0.88-1.18 s
 * on the helper threads instead of 1.04-1.66 s with one worker, 1.62-2.16 s instead of 2.00-2.93 s
 * with two (three alternating pairs on a shared machine), and the worker threads' own CPU per game
 * did not rise (docs/performance/analysis-log.md, "Warm-up per worker isolate").
 */
const INLINING_BUDGET = 300;

/**
 * Sets V8's compiler flags for a simulation run. Process-wide, so it is called by the simulate
 * command alone, before it starts its workers (an isolate reads the flags as it compiles).
 */
export function tuneV8ForSimulation(): void {
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${INLINING_BUDGET}`);
}

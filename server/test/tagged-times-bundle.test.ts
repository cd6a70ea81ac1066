/**
 * The literals that make a message share its log entry's time box
 * (shared/src/game/tagged-times.ts) must survive an esbuild bundle, which is
 * how the fan-out bench and the CPU driver run a server: kept as an unused
 * export, they were tree-shaken away there and the bench measured the code
 * without them (docs/performance.md, "Two objects fewer a message").
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const gameTs = fileURLToPath(new URL('../../shared/src/game/game.ts', import.meta.url));

describe('the time-box shapes in a bundle', () => {
  it('are made when an esbuild bundle of the game is loaded', async () => {
    const out = await build({ bundle: true, platform: 'node', format: 'esm', target: 'es2022', write: false, entryPoints: [gameTs], packages: 'external', logLevel: 'error' });
    const text = out.outputFiles[0]?.text ?? '';
    // Each shape's literal, by its keys in order with a null time.
    expect(text).toMatch(/\{\s*seq: 0,\s*at: null,\s*by: null,\s*commandId: "",\s*command: null\s*\}/);
    expect(text).toMatch(/\{\s*id: "",\s*seq: 0,\s*at: null,\s*channel: "",/);
    expect(text).toMatch(/keepTaggedTimes\(\);/);
  });
});

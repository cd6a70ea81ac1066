/**
 * A GameState is made in the young generation even once V8's allocation-site feedback has seen states outlive a
 * scavenge. Made by an object literal, Node 20 and 24 pretenured them under the fan-out bench's load: every state
 * (kept only until a few more events of its session) went straight to the old generation as garbage, and held its
 * young MessageLog through scavenges until a mark-compact (docs/performance/fan-out-log.md, "States made
 * young"). Where an object lives is only visible through V8's natives syntax, so the check runs in a child
 * process with it.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./young-states-child.ts', import.meta.url));

describe('game states', () => {
  it('are allocated young after many states have outlived a scavenge', () => {
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    const r = JSON.parse(out) as { freshYoung: number; fresh: number; laterRoundsYoung: number; laterRounds: number };
    expect(r.fresh).toBe(50);
    // A literal's site, once tenured, puts every one in the old generation (0 of 50 young on a9eb7f9).
    expect(r.freshYoung).toBe(r.fresh);
    expect(r.laterRoundsYoung).toBe(r.laterRounds);
  });
});

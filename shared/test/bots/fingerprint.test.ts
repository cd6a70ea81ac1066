import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCENARIO_DIR, readScenarioFile } from '../../node/scenario-files.ts';
import { createGame } from '../../src/game/game.ts';
import { runHeadless } from '../../src/analysis/runner.ts';
import { personaChooser, personaMix } from '../../src/bots/index.ts';

/**
 * Speed work on the headless runner, the views and the personas must not change a single game.
 * This plays thousands of seeded persona games (three mixes, one with every optional seat) and
 * hashes everything they produce: the whole log (moves, rationales, message texts), the messages
 * as stored, the path, the outcome, the peak rung, the settled choices and the refused commands.
 *
 * The pinned digest is what the code gave before the speed work (April 2024 v4). A change to the
 * rules, the scenario or the personas' data moves it on purpose: re-pin with the digest printed
 * here, and say so in the commit. A change made for speed alone must leave it as it is.
 */
const PINNED = 'bf8b430ad6e8d3c42e5500b3f968665028cefe5b77803fb5044fc75612684dbc';
const GAMES_PER_MIX = 700;

// Its own copy, not the process's shared one (shippedScenario): with test files sharing modules (vitest's
// isolate: false), another file that changed the shared scenario in place (april-2024-shape.test.ts sorted a
// channel's members) changed these games and failed the digest, depending on which file ran first.
const scenario = readScenarioFile(join(SCENARIO_DIR, 'april-2024.yaml'));
const optional = scenario.seats.filter((s) => s.optional).map((s) => s.id);
const mixes: { choice: Record<string, string>; optionalSeats: string[] }[] = [
  { choice: {}, optionalSeats: [] },
  { choice: { iran: 'hard-liner', israel: 'maximalist', us: 'disengage' }, optionalSeats: [] },
  {
    choice: { iran: 'strategic-patience', israel: 'take-the-win', us: 'restrain-israel', mediators: 'shuttle-broker', hezbollah: 'axis-vanguard', eu: 'honest-broker' },
    optionalSeats: optional,
  },
];

describe('persona games fingerprint', () => {
  it('plays the same games as before, message for message, with and without the log kept', { timeout: 180_000 }, () => {
    const hash = createHash('sha256');
    for (const [k, { choice, optionalSeats }] of mixes.entries()) {
      const choose = personaChooser(scenario, personaMix(scenario, choice));
      for (let i = 0; i < GAMES_PER_MIX; i++) {
        const game = () => createGame(scenario, { scenarioId: scenario.id, seed: `fingerprint-${k}-${i}`, review: false, optionalSeats });
        const full = runHeadless(game(), { choose, keepLog: true });
        const bare = runHeadless(game(), { choose, keepLog: false });
        // The simulator keeps no log: the game must not depend on whether it is kept.
        expect(bare.state.version).toBe(full.state.version);
        expect([bare.outcome, bare.peakRung, bare.choices]).toEqual([full.outcome, full.peakRung, full.choices]);
        hash.update(JSON.stringify([full.log, full.state.messages.toArray(), full.path, full.outcome, full.peakRung, full.choices, full.refused]));
      }
    }
    const digest = hash.digest('hex');
    if (digest !== PINNED) console.log(`persona games fingerprint: ${digest} (pinned ${PINNED})`);
    expect(digest).toBe(PINNED);
  });
});

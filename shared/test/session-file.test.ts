import { describe, expect, it } from 'vitest';
import { shippedScenarios } from '../node/scenario-files.ts';

const catalog = shippedScenarios();
const getScenario = (id: string) => catalog.get(id);
import { buildSessionFile, type SessionFile } from '../src/replay/session-file.ts';
import { verifySessionFile, type VerifyResult } from '../src/replay/verify.ts';
import { canonicalJson } from '../src/canonical-json.ts';
import { playedGame } from './played-game.ts';
import type { Scenario } from '../src/scenario/schema.ts';

const played = playedGame();
const header = { sessionId: 'abc123', title: 'Class 3B', createdAt: 1_712_000_000_000, parent: null };
const file: SessionFile = buildSessionFile({ session: header, game: played.game, log: played.log, exportedAt: 1_712_000_900_000 });
const text = JSON.stringify(file, null, 2);
const lookup = getScenario;

function problem(r: VerifyResult) {
  if (r.ok) throw new Error('expected a refusal');
  return r.problem;
}
const edited = (edit: (f: SessionFile) => void): unknown => {
  const copy = structuredClone(file);
  edit(copy);
  return copy;
};

describe('the session file', () => {
  acceptedCases();
  refusedFileCases();
  refusedLogCases();
  refusedChainCases();
});

/** What verifies: the final state rebuilt, whatever the layout, one chain per log. */
function acceptedCases(): void {
  it('verifies and rebuilds exactly the final state', () => {
    const r = verifySessionFile(text, lookup);
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.session.final.version).toBe(played.state.version);
    expect(canonicalJson(r.session.final.turn.context)).toBe(canonicalJson(played.state.turn.context));
    expect(r.session.final.messages).toEqual(played.state.messages);
    expect(file.chain.length).toBe(played.log.length);
    expect(file.chain.head).toBe(file.log.at(-1)!.hash);
    expect(file.seats.map((s) => s.id)).toEqual(['iran', 'israel', 'us', 'mediators']);
  });

  it('hashes the content, not its layout: key order and whitespace do not matter', () => {
    const reordered = JSON.parse(text, (_k, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as unknown;
    expect(verifySessionFile(JSON.stringify(reordered), lookup).ok).toBe(true);
  });

  it('is deterministic: two exports of one log have one chain', () => {
    const again = buildSessionFile({ session: header, game: played.game, log: played.log, exportedAt: 5 });
    expect(again.chain).toEqual(file.chain);
  });
}

/** Refusals of the file as a whole: its JSON, its format, its schema, its scenario. */
function refusedFileCases(): void {
  it('refuses malformed JSON with the line and column', () => {
    const broken = text.replace('"seq": 3,', '"seq": 3,,');
    const p = problem(verifySessionFile(broken, lookup));
    expect(p.code).toBe('malformed_json');
    expect(p.where).toMatch(/^line \d+, column \d+$/);
    expect(problem(verifySessionFile('', lookup)).code).toBe('malformed_json');
  });

  it('refuses what is not a session file, or another format version', () => {
    expect(problem(verifySessionFile('{"hello":"world"}', lookup)).code).toBe('not_a_session_file');
    const v1 = problem(verifySessionFile(edited((f) => ((f as { formatVersion: number }).formatVersion = 1)), lookup));
    expect(v1).toMatchObject({ code: 'unsupported_format', where: 'formatVersion' });
    expect(v1.message).toMatch(/no hash chain/);
  });

  it('refuses a schema violation naming its path', () => {
    const p = problem(verifySessionFile(edited((f) => ((f.log[4]!.command as { type: string }).type = 'LAUNCH')), lookup));
    expect(p.code).toBe('invalid_file');
    expect(p.where).toMatch(/^log\[4\]\.command/);
  });

  it('refuses a wrong scenario version, or a scenario this server lacks', () => {
    expect(problem(verifySessionFile(edited((f) => (f.scenario.version += 1)), lookup))).toMatchObject({
      code: 'scenario_version',
      where: 'scenario.version',
    });
    expect(problem(verifySessionFile(edited((f) => (f.scenario.id = 'elsewhere')), lookup)).code).toBe('unknown_scenario');
    const older: Scenario = { ...getScenario('april-2024')!, version: getScenario('april-2024')!.version + 1 };
    expect(problem(verifySessionFile(text, (id) => (id === 'april-2024' ? older : undefined))).code).toBe('scenario_version');
  });
}

/** Refusals of the log: a missing, reordered or changed event. */
function refusedLogCases(): void {
  it('refuses a missing event: a gap or a cut-off end', () => {
    expect(problem(verifySessionFile(edited((f) => f.log.splice(9, 1)), lookup))).toMatchObject({
      code: 'event_missing',
      seq: 10,
      where: 'log[9]',
    });
    expect(problem(verifySessionFile(edited((f) => f.log.pop()), lookup))).toMatchObject({ code: 'event_missing', seq: file.log.length });
  });

  it('refuses reordered events', () => {
    const p = problem(
      verifySessionFile(
        edited((f) => {
          const [a, b] = [f.log[20]!, f.log[21]!];
          f.log[20] = b;
          f.log[21] = a;
        }),
        lookup,
      ),
    );
    expect(p).toMatchObject({ code: 'event_reordered', where: 'log[20]', seq: 21 });
    expect(problem(verifySessionFile(edited((f) => f.log.splice(5, 0, structuredClone(f.log[4]!))), lookup)).code).toBe('event_reordered');
  });

  it('refuses a changed event, and says which', () => {
    const p = problem(
      verifySessionFile(
        edited((f) => {
          const cmd = f.log.find((e) => e.command.type === 'SEND_MESSAGE')!;
          if (cmd.command.type === 'SEND_MESSAGE') cmd.command.text = 'A forged statement';
        }),
        lookup,
      ),
    );
    const firstMessage = file.log.find((e) => e.command.type === 'SEND_MESSAGE')!;
    expect(p).toMatchObject({ code: 'event_changed', seq: firstMessage.seq, where: `log[${firstMessage.seq - 1}]` });
    expect(problem(verifySessionFile(edited((f) => (f.log.at(-1)!.at += 1)), lookup)).code).toBe('event_changed');
    // The header is chained too: another seed is a changed file, not another game.
    expect(problem(verifySessionFile(edited((f) => (f.setup.seed = 'other')), lookup))).toMatchObject({ code: 'event_changed', where: expect.stringMatching(/header/) });
  });
}

/** Refusals of the chain: a broken hash, and a re-chained log that does not replay. */
function refusedChainCases(): void {
  it('refuses a broken hash: an entry hash, the genesis or the head', () => {
    const flip = (h: string) => (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
    expect(problem(verifySessionFile(edited((f) => (f.log[30]!.hash = flip(f.log[30]!.hash))), lookup))).toMatchObject({
      code: 'broken_hash',
      where: 'log[30].hash',
      seq: 31,
    });
    expect(problem(verifySessionFile(edited((f) => (f.chain.head = flip(f.chain.head))), lookup))).toMatchObject({ code: 'broken_hash' });
    expect(problem(verifySessionFile(edited((f) => (f.chain.genesis = flip(f.chain.genesis))), lookup))).toMatchObject({
      code: 'broken_hash',
      where: 'chain.genesis',
    });
  });

  it('refuses a re-chained log whose events do not apply (the re-simulation)', () => {
    const log = structuredClone(played.log);
    const move = log.find((e) => e.command.type === 'SUBMIT_MOVE')!;
    if (move.command.type === 'SUBMIT_MOVE') move.command.move = 'no-such-move';
    const forged = buildSessionFile({ session: header, game: played.game, log, exportedAt: 0 });
    expect(problem(verifySessionFile(forged, lookup))).toMatchObject({ code: 'event_refused', seq: move.seq });
    const dup = structuredClone(played.log);
    dup[7]!.commandId = dup[6]!.commandId;
    expect(problem(verifySessionFile(buildSessionFile({ session: header, game: played.game, log: dup, exportedAt: 0 }), lookup)).code).toBe(
      'duplicate_command',
    );
  });
}

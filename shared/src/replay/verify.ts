import type { FileProblemCode } from '../errors.ts';
import type { LogEntry } from '../game/commands.ts';
import { createGame, replay, ReplayError, type Game, type GameState } from '../game/game.ts';
import type { Scenario } from '../scenario/schema.ts';
import {
  SESSION_FILE_FORMAT,
  SESSION_FILE_VERSION,
  SessionFile,
  chainedHeaderOf,
  entryHash,
  genesisHash,
  logOf,
} from './session-file.ts';

/**
 * Checking a session file before anything is made from it. The checks run in
 * a fixed order and the first failure is reported, with its own code and the
 * place in the file it concerns, so a person can see what is wrong and where.
 * Pure and synchronous: the server may run it in a worker, the browser and
 * the CLI run the very same function.
 */

export interface FileProblem {
  code: FileProblemCode;
  message: string;
  /** Where in the file: a JSON path (`log[6]`), `line 3, column 15`, or `chain.head`. */
  where: string;
  /** The event concerned, when there is one. */
  seq?: number;
}

export interface VerifiedSession {
  file: SessionFile;
  game: Game;
  log: LogEntry[];
  /** The state after the last event. */
  final: GameState;
}

export type VerifyResult = { ok: true; session: VerifiedSession } | { ok: false; problem: FileProblem };

export type ScenarioLookup = (id: string) => Scenario | undefined;

const problemOf = (code: FileProblemCode, where: string, message: string, seq?: number): FileProblem =>
  seq === undefined ? { code, where, message } : { code, where, message, seq };
const fail = (code: FileProblemCode, where: string, message: string, seq?: number): { ok: false; problem: FileProblem } => ({
  ok: false,
  problem: problemOf(code, where, message, seq),
});

/** Line and column (1-based) of a character offset, for a JSON syntax error. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let column = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return `line ${line}, column ${column}`;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: FileProblem } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(detail);
    const where = at ? lineColumn(text, Number(at[1])) : text.trim() === '' ? 'the whole file (it is empty)' : 'the end of the file';
    return { ok: false, problem: { code: 'malformed_json', where, message: `The file is not valid JSON (${where}): ${detail}` } };
  }
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * How the log is re-simulated: `replay` by default. The replay viewer passes
 * one that builds its Replayer on the way, so a file is rebuilt once, not twice.
 * It must throw a ReplayError for an entry that does not apply.
 */
export type Rebuild = (game: Game, log: readonly LogEntry[]) => GameState;

/** Checks a session file (its text, or its parsed JSON) and rebuilds its final state. */
export function verifySessionFile(input: string | unknown, scenarios: ScenarioLookup, rebuild: Rebuild = replay): VerifyResult {
  const read = readSessionFile(input);
  if (!read.ok) return read;
  const { raw, file } = read;
  const scenario = scenarios(file.scenario.id);
  if (!scenario) return fail('unknown_scenario', 'scenario.id', `The file's scenario "${file.scenario.id}" is not on this server.`);
  const problem = scenarioProblem(file, scenario) ?? checkOrder(file) ?? checkChain(raw, raw.log as Record<string, unknown>[], file) ?? checkCommandIds(file);
  if (problem) return { ok: false, problem };
  return rebuildSession(file, scenario, rebuild);
}

/** The file's JSON, its format and version, and its shape against the session-file schema. */
function readSessionFile(input: string | unknown): { ok: true; raw: Record<string, unknown>; file: SessionFile } | { ok: false; problem: FileProblem } {
  let raw: unknown = input;
  if (typeof input === 'string') {
    const parsed = parseJson(input);
    if (!parsed.ok) return parsed;
    raw = parsed.value;
  }
  if (!isRecord(raw) || raw.format !== SESSION_FILE_FORMAT)
    return fail('not_a_session_file', 'format', `This is not a Rubicon session file (its "format" is not "${SESSION_FILE_FORMAT}").`);
  if (raw.formatVersion !== SESSION_FILE_VERSION)
    return fail(
      'unsupported_format',
      'formatVersion',
      `The file is in session-file format ${JSON.stringify(raw.formatVersion)}; this Rubicon reads format ${SESSION_FILE_VERSION}` +
        (raw.formatVersion === 1 ? ' (format 1 had no hash chain: export the session again from a current server).' : '.'),
    );
  const schema = SessionFile.safeParse(raw);
  if (!schema.success) {
    const issue = schema.error.issues[0];
    const where = issue ? jsonPath(issue.path) || 'the top level' : 'the top level';
    return fail('invalid_file', where, `The file does not follow the session-file format at ${where}: ${issue?.message ?? 'invalid'}.`);
  }
  return { ok: true, raw, file: schema.data };
}

/** The scenario on this server is the version the file was recorded with, and the setup is for it. */
function scenarioProblem(file: SessionFile, scenario: Scenario): FileProblem | null {
  if (scenario.version !== file.scenario.version)
    return problemOf(
      'scenario_version',
      'scenario.version',
      `The file was recorded with ${scenario.title} version ${file.scenario.version}; this server has version ${scenario.version}, whose rules may differ.`,
    );
  if (file.setup.scenarioId !== file.scenario.id)
    return problemOf('invalid_file', 'setup.scenarioId', `The setup is for "${file.setup.scenarioId}", the file for "${file.scenario.id}".`);
  return null;
}

/** No two events share a command id. */
function checkCommandIds(file: SessionFile): FileProblem | null {
  const commandIds = new Map<string, number>();
  for (const e of file.log) {
    const first = commandIds.get(e.commandId);
    if (first !== undefined)
      return problemOf('duplicate_command', `log[${e.seq - 1}].commandId`, `Event ${e.seq} reuses the command id of event ${first}.`, e.seq);
    commandIds.set(e.commandId, e.seq);
  }
  return null;
}

/** The game from the file's setup, and the log re-simulated on it: every event must apply to the state before it. */
function rebuildSession(file: SessionFile, scenario: Scenario, rebuild: Rebuild): VerifyResult {
  let game: Game;
  try {
    game = createGame(scenario, file.setup);
  } catch (err) {
    return fail('invalid_file', 'setup', `The setup does not fit the scenario: ${err instanceof Error ? err.message : String(err)}.`);
  }
  const log = logOf(file);
  try {
    return { ok: true, session: { file, game, log, final: rebuild(game, log) } };
  } catch (err) {
    if (err instanceof ReplayError)
      return fail(
        'event_refused',
        `log[${err.seq - 1}]`,
        `Event ${err.seq} does not apply to the state before it (${err.refusal.code}: ${err.refusal.message}).`,
        err.seq,
      );
    throw err;
  }
}

/** Every event numbered 1…n in order, and as many as the chain says. */
function checkOrder(file: SessionFile): FileProblem | null {
  const seqs = file.log.map((e) => e.seq);
  const seen = new Set<number>();
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    if (seen.has(seq))
      return { code: 'event_reordered', where: `log[${i}]`, seq, message: `Event ${seq} appears twice (again at log[${i}]).` };
    seen.add(seq);
  }
  const expectedLength = Math.max(file.chain.length, ...seqs, 0);
  for (let seq = 1; seq <= expectedLength; seq++) {
    if (!seen.has(seq)) {
      const where = seq > seqs.length ? 'log (its end)' : `log[${seq - 1}]`;
      const why = seq > Math.max(0, ...seqs) ? `the chain records ${file.chain.length} events, the file has ${seqs.length}` : 'the numbering has a gap';
      return { code: 'event_missing', where, seq, message: `Event ${seq} is missing: ${why}.` };
    }
  }
  for (let i = 0; i < seqs.length; i++) {
    if (seqs[i] !== i + 1)
      return {
        code: 'event_reordered',
        where: `log[${i}]`,
        seq: i + 1,
        message: `The events are out of order: log[${i}] is event ${seqs[i]}, where event ${i + 1} belongs.`,
      };
  }
  return null;
}

/**
 * Walks the chain. When a recorded hash does not match, the next link tells
 * which side was edited: if the next hash still follows from the recorded
 * one, the recorded hash is the original and the content changed; if it
 * follows from the recomputed one, the content is original and the hash
 * itself was altered.
 */
function checkChain(raw: Record<string, unknown>, rawLog: Record<string, unknown>[], file: SessionFile): FileProblem | null {
  const content = (i: number): unknown => {
    const { hash: _hash, ...rest } = rawLog[i]!;
    return rest;
  };
  const recorded = (i: number): string => (i < 0 ? file.chain.genesis : file.log[i]!.hash);
  // The link after position i: the next entry's recorded hash or, after the last, the head.
  const nextFollows = (i: number, from: string): boolean =>
    i + 1 < rawLog.length ? entryHash(from, content(i + 1)) === recorded(i + 1) : file.chain.head === from;

  const genesis = genesisHash(chainedHeaderOf(raw));
  if (genesis !== file.chain.genesis) {
    if (nextFollows(-1, file.chain.genesis))
      return {
        code: 'event_changed',
        where: 'session, scenario, setup or seats (the header)',
        message: "The file's header (its session, scenario, setup, seed or seats) was changed after export: it no longer matches the chain's genesis hash.",
      };
    return { code: 'broken_hash', where: 'chain.genesis', message: 'The genesis hash recorded in chain.genesis is not the hash of the header.' };
  }
  let previous = genesis;
  for (let i = 0; i < rawLog.length; i++) {
    const seq = i + 1;
    const computed = entryHash(previous, content(i));
    if (computed !== recorded(i)) {
      if (nextFollows(i, recorded(i)) || !nextFollows(i, computed))
        return {
          code: 'event_changed',
          where: `log[${i}]`,
          seq,
          message: `Event ${seq} was changed after export: its content no longer matches its recorded hash.`,
        };
      return { code: 'broken_hash', where: `log[${i}].hash`, seq, message: `The hash recorded for event ${seq} is not the chain's hash there.` };
    }
    previous = computed;
  }
  if (file.chain.head !== previous)
    return { code: 'broken_hash', where: 'chain.head', message: "The chain's head hash is not the hash of the last event." };
  return null;
}

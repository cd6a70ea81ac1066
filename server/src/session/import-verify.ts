import { buildSessionFile, continuedLog, persistGame, replay, type Game, type GameSetup, type GameState, type LogEntry, type Scenario, type SeatId, type SessionHeader } from '@rubicon/shared';
import { botsWanted } from '../bots/bots-wanted.ts';
import type { SerializedEntry } from '../store/types.ts';
import { gameForJob } from './game-setup.ts';
import { verifyUpload } from './session-file.ts';

/** A verified session file, as plain data (it crosses from the worker thread), ready to be stored in one piece. */
export interface ImportPlan {
  /** The file's own header (title, parent), which a replay keeps; a branch's names the branch point as its parent. */
  session: SessionHeader;
  setup: GameSetup;
  entries: SerializedEntry[];
  /** JSON PersistedGame of the state the log leads to, as UTF-8 (made where the plan is, and moved, not copied, from a worker). */
  snapshot: Uint8Array<ArrayBuffer>;
  /** The seats that state hands to bots (botsWanted), so the new session's bots start without loading it first. */
  bots: Record<SeatId, string>;
}

/**
 * What the file becomes: a live session played on from its end (which starts
 * paused if its clock ran, see continuedLog), or a read-only replay that is
 * exactly the file.
 */
export type ImportPurpose = 'continue' | 'replay';

/**
 * An uploaded session file's text to an ImportPlan: every check of the file
 * format (verifyUpload), then the log serialized as the store keeps it and
 * the final state as a snapshot. CPU-heavy (a long log takes seconds), so it
 * runs in a worker thread (session-file-worker.ts), never on the event loop that
 * serves the games.
 */
export function planImport(text: string, scenarioOf: (id: string) => Scenario | undefined, purpose: ImportPurpose): ImportPlan {
  const verified = verifyUpload(text, scenarioOf);
  const { game } = verified;
  const { log, final } = purpose === 'continue' ? continuedLog(game, verified.log, verified.final) : verified;
  return {
    session: verified.file.session,
    setup: game.setup,
    entries: serializedLog(log),
    snapshot: snapshotBytes(game, final),
    bots: botsWanted(final),
  };
}

function snapshotBytes(game: Game, final: GameState): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(persistGame(game, final)));
}

function serializedLog(log: readonly LogEntry[]): SerializedEntry[] {
  return log.map((e) => ({ seq: e.seq, commandId: e.commandId, json: JSON.stringify(e) }));
}

/**
 * A branch of a session at `version`: the same log up to there, its chain hash at that point (so the branch's
 * file names exactly which history it continues), and (continuedLog) a pause if a beat's clock was running.
 * As CPU-heavy as an import's check for a long log (the whole chain hashed, the log replayed), so it runs in
 * the same worker (import-pipeline.ts).
 */
export function planBranch(game: Game, header: SessionHeader, log: readonly LogEntry[], version: number): ImportPlan {
  const upTo = log.slice(0, version);
  const hash = buildSessionFile({ session: header, game, log: upTo, exportedAt: 0 }).chain.head;
  const { log: continued, final } = continuedLog(game, upTo, replay(game, upTo));
  return {
    session: { ...header, parent: { sessionId: header.sessionId, title: header.title, version, hash } },
    setup: game.setup,
    entries: serializedLog(continued),
    snapshot: snapshotBytes(game, final),
    bots: botsWanted(final),
  };
}

/**
 * The work a plan is made from, as plain data (it crosses to the worker thread): an uploaded file, or a
 * session to branch, whose log goes beside the job (to a worker in slices: import-pipeline.ts).
 */
export type PlanJob =
  | { kind: 'file'; body: Uint8Array; purpose: ImportPurpose }
  | { kind: 'branch'; setup: GameSetup; header: SessionHeader; version: number };

/** A job's plan, the same on the spot and in the worker; `log` is a branch's (a file carries its own). */
export function planJob(job: PlanJob, log: readonly LogEntry[], scenarioOf: (id: string) => Scenario | undefined): ImportPlan {
  if (job.kind === 'file') return planImport(new TextDecoder().decode(job.body), scenarioOf, job.purpose);
  return planBranch(gameForJob(job.setup, scenarioOf), job.header, log, job.version);
}

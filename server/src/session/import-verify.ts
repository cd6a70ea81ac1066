import { continuedLog, persistGame, type GameSetup, type Scenario, type SessionHeader } from '@rubicon/shared';
import type { SerializedEntry } from '../store/types.ts';
import { verifyUpload } from './session-file.ts';

/** A verified session file, as plain data (it crosses from the worker thread), ready to be stored in one piece. */
export interface ImportPlan {
  /** The file's own header (title, parent), which a replay keeps. */
  session: SessionHeader;
  setup: GameSetup;
  entries: SerializedEntry[];
  /** JSON PersistedGame of the state the log leads to. */
  snapshot: string;
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
 * runs in a worker thread (import-worker.ts), never on the event loop that
 * serves the games.
 */
export function planImport(text: string, scenarioOf: (id: string) => Scenario | undefined, purpose: ImportPurpose): ImportPlan {
  const verified = verifyUpload(text, scenarioOf);
  const { game } = verified;
  const { log, final } = purpose === 'continue' ? continuedLog(game, verified.log, verified.final) : verified;
  return {
    session: verified.file.session,
    setup: game.setup,
    entries: log.map((e) => ({ seq: e.seq, commandId: e.commandId, json: JSON.stringify(e) })),
    snapshot: JSON.stringify(persistGame(game, final)),
  };
}

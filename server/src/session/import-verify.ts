import { persistGame, type GameSetup, type Scenario, type SessionHeader } from '@rubicon/shared';
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
 * An uploaded session file's text to an ImportPlan: every check of the file
 * format (verifyUpload), then the log serialized as the store keeps it and
 * the final state as a snapshot. CPU-heavy (a long log takes seconds), so it
 * runs in a worker thread (import-worker.ts), never on the event loop that
 * serves the games.
 */
export function planImport(text: string, scenarioOf: (id: string) => Scenario | undefined): ImportPlan {
  const { file, game, log, final } = verifyUpload(text, scenarioOf);
  return {
    session: file.session,
    setup: game.setup,
    entries: log.map((e) => ({ seq: e.seq, commandId: e.commandId, json: JSON.stringify(e) })),
    snapshot: JSON.stringify(persistGame(game, final)),
  };
}

import { buildSessionFile, type GameSetup, type LogEntry, type Scenario, type SessionHeader } from '@rubicon/shared';
import { gameForJob } from './game-setup.ts';

/** What a session's export is written from, as plain data (it crosses to the worker thread); its log goes beside it. */
export interface ExportJob {
  kind: 'export';
  setup: GameSetup;
  /** The header the file carries (a replay keeps the one of the file it was opened from). */
  header: SessionHeader;
  exportedAt: number;
}

/**
 * The session file as the UTF-8 bytes of its JSON text: the very text `res.json(buildSessionFile(...))` sent
 * before, since Express's JSON settings here are its defaults (no replacer, no spaces, no escaping). Hashing
 * the chain is most of the cost (8,000 entries: about 0.3 s of a warm thread), so a long log's export runs in
 * a worker thread (import-pipeline.ts), and the text is made there too: 3 MB of JSON is a stretch of its own.
 */
export function exportedText(job: ExportJob, log: readonly LogEntry[], scenarioOf: (id: string) => Scenario | undefined): Uint8Array<ArrayBuffer> {
  const game = gameForJob(job.setup, scenarioOf);
  return new TextEncoder().encode(JSON.stringify(buildSessionFile({ session: job.header, game, log, exportedAt: job.exportedAt })));
}

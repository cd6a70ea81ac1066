import { z } from 'zod';
import { GameSetup, LogEntry } from '@rubicon/shared';

/**
 * The export file: enough to rebuild a session anywhere (the setup and the
 * whole log), and nothing that grants access to the original (no token
 * hashes, no join codes).
 */
export const SESSION_FILE_FORMAT = 'rubicon-session';
export const SESSION_FILE_VERSION = 1;

export const SessionFile = z
  .object({
    format: z.literal(SESSION_FILE_FORMAT),
    formatVersion: z.literal(SESSION_FILE_VERSION),
    exportedAt: z.number().int().min(0),
    meta: z
      .object({
        sessionId: z.string().min(1).max(64),
        title: z.string().min(1).max(120),
        scenarioId: z.string().min(1),
        createdAt: z.number().int().min(0),
      })
      .strict(),
    setup: GameSetup,
    log: z.array(LogEntry).max(100_000),
  })
  .strict();
export type SessionFile = z.infer<typeof SessionFile>;

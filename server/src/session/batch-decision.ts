import type { PendingCommand } from './command-types.ts';
import type { CachedSession } from './session-cache.ts';

// A batch's decision across its rounds, for CommandPath.decideBatch (command-path.ts).

export const FINISHED = Symbol('finished');
export const NOTHING = (): void => undefined;

/** One batch's decision across its rounds. */
export class Decision {
  rounds = 0;
  appends = 0;
  /** Made only for a refusal or a duplicate: nearly every batch has neither. */
  lookups: Promise<void>[] | null = null;

  constructor(
    readonly sessionId: string,
    readonly batch: readonly PendingCommand[],
    /** The copy the next round decides on. */
    public session: CachedSession,
    /** Whether it was read from the log in this decision (or the store answered on it), so a refusal on it stands. */
    public current: boolean,
  ) {}
}

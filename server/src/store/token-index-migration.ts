import type { Logger } from '../logger.ts';
import { StoreUnavailableError } from './redis-availability.ts';
import type { KeyMigration, MigrationOptions, MigrationRun } from './redis-migration.ts';
import type { SessionStore } from './types.ts';

/**
 * Tokens stored before the token index (`tokens:{id}`, 7 December) are in no session's index, so removing their
 * session (redis-retention.ts) would leave them behind. This migration puts each `token:{hash}` in its
 * session's index. A token's value is its JSON Grant, whose `sessionId` names the session (saveToken,
 * ROTATE_ACCESS, COMMIT_IMPORT and KEY_LEGACY_TOKEN all keep it). In one step per batch, so that no removal
 * lands between the check and the write: a token whose session still exists is added to the index (a second
 * time changes nothing), one whose session is gone is deleted with its socket places (it granted nothing:
 * every check of a token reads its session), and a value that is not a grant is left as it is and counted.
 */
export const TOKEN_INDEX_MIGRATION: KeyMigration = {
  name: 'token-index',
  version: 1,
  match: 'token:*',
  body: `
local skip = #p + #'token:'
for _, key in ipairs(KEYS) do
  local raw = redis.pcall('GET', key)
  local ok, grant = false, nil
  if type(raw) == 'string' then ok, grant = pcall(cjson.decode, raw) end
  local id = ok and type(grant) == 'table' and grant.sessionId
  local hash = string.sub(key, skip + 1)
  if raw == false then
    -- Deleted since SCAN found it.
  elseif type(id) ~= 'string' then
    count('unreadable')
  elseif redis.call('EXISTS', p .. 'session:' .. id) == 1 then
    if redis.call('SADD', p .. 'tokens:' .. id, hash) == 1 then count('indexed') else count('alreadyIndexed') end
  else
    redis.call('UNLINK', key, p .. 'token-sockets:' .. hash)
    count('removed')
  end
end
`,
};

/** The counters the script keeps, each written even when nothing was counted. */
const NONE_COUNTED = { indexed: 0, alreadyIndexed: 0, removed: 0, unreadable: 0 };

/** After a failure (an outage), the next attempt resumes from the last batch stored. */
const RETRY_MS = 5000;

/**
 * Runs the migration in the background from a process's start (which never waits for it); null without Redis.
 * Logs one info line with the counts when this process finishes it, nothing when another process did or does.
 * Tries again after an outage or an error until it is done or `stop` is called; `stop` resolves once no call
 * is in flight.
 */
export function startTokenIndexMigration(store: Pick<SessionStore, 'migrateTokenIndex'>, log: Logger, options: MigrationOptions = {}): { stop(): Promise<void>; done: Promise<MigrationRun> } | null {
  const migrate = store.migrateTokenIndex?.bind(store);
  // Only a store that outlives its processes (Redis) has tokens from before.
  if (!migrate) return null;
  let stopped = false;
  let wake: (() => void) | null = null;
  const started = performance.now();
  const done = (async (): Promise<MigrationRun> => {
    for (;;) {
      try {
        const run = await migrate({ ...options, stopped: () => stopped || (options.stopped?.() ?? false) });
        if (run.outcome === 'finished') log.info({ migration: TOKEN_INDEX_MIGRATION.name, ...NONE_COUNTED, ...run.counts, batches: run.batches, ms: Math.round(performance.now() - started) }, 'tokens stored before the token index are now indexed with their sessions, or removed with sessions gone');
        return run;
      } catch (err) {
        // An outage is logged once by the store's gate.
        if (!(err instanceof StoreUnavailableError)) log.error({ err, migration: TOKEN_INDEX_MIGRATION.name }, 'the token index migration failed; trying again');
      }
      if (stopped) return { outcome: 'stopped', counts: {}, batches: 0 };
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, RETRY_MS).unref();
      });
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

import type { RedisGate } from './redis-availability.ts';

/*
 * One-time rewrites of what older versions left in Redis, done once per deployment however many processes start
 * at once, off the critical path, and safe to kill at any point. Keys (under the prefix):
 * - `migrations`                  hash, a migration's name → the version of it done (the marker)
 * - `migration:{name}`            string, the process running it now, under a lease (PX) each batch renews
 * - `migration:{name}:progress`   hash, `version`, `cursor` (SCAN's, after the last batch done) and the counts so far
 * A process that finds the marker skips the migration; one that finds the lease held by another waits and looks
 * again (the holder finishes, or dies and its lease runs out); the one holding it walks the keys with SCAN from
 * the saved cursor. Each batch is one script that checks the lease is still its own, does the batch's work, adds
 * to the counts and saves the next cursor, all at once: a process killed between batches leaves the cursor of the
 * last batch done, and whoever takes the lease next goes on from there. A batch cut off before its script runs is
 * done again, so a migration's work must be idempotent; SCAN may also return a key twice.
 */

export interface KeyMigration {
  /** Its field in `migrations`. */
  name: string;
  /** Done once `migrations` holds this or more; the next version of the same name runs again. */
  version: number;
  /** The keys it visits, after the prefix (a SCAN MATCH glob; the prefix is escaped). */
  match: string;
  /**
   * Lua run on one batch, in a block of its own: `p` is the prefix, KEYS the batch's keys, and `count(name)`
   * adds one to that counter. Idempotent: a batch may run twice.
   */
  body: string;
}

export interface MigrationOptions {
  /** How long a process that stops answering holds the migration before another takes over. */
  leaseMs?: number;
  /** SCAN's COUNT, and the most keys one script is given: what bounds Redis's time per call. */
  batchKeys?: number;
  /** Between batches: the event loop turns, and Redis serves others. */
  pauseMs?: number;
  /** How often a process that finds another's lease looks again. */
  pollMs?: number;
  /** Checked before each call; true ends the run at the next batch, handing the lease back. */
  stopped?: () => boolean;
  /** After each batch is stored (tests stop a run there). */
  afterBatch?: () => void | Promise<void>;
}

export interface MigrationRun {
  /** `finished`: this process stored the marker; `already`: it found it; `stopped`: asked to stop first. */
  outcome: 'finished' | 'already' | 'stopped';
  /** `finished` only: the counters over the whole migration, every process's batches included. */
  counts: Record<string, number>;
  /** Batches this process did (a resumed run does only those left). */
  batches: number;
}

/** KEYS: marker hash, lease, progress. ARGV: name, version, owner, lease ms. Reply: {'already'} | {'busy'} | {'claimed', cursor}. */
const CLAIM = `
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') >= tonumber(ARGV[2]) then return {'already'} end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[3] then return {'busy'} end
redis.call('SET', KEYS[2], ARGV[3], 'PX', tonumber(ARGV[4]))
if redis.call('HGET', KEYS[3], 'version') ~= ARGV[2] then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'version', ARGV[2], 'cursor', '0')
end
return {'claimed', redis.call('HGET', KEYS[3], 'cursor')}
`;

/** KEYS: lease. ARGV: owner. Hands the lease back if it is still this owner's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 'ok'
`;

/**
 * The batch script around a migration's body. KEYS: the batch's keys. ARGV: prefix, name, version, owner,
 * lease ms, the cursor after this batch ('' when more of the same SCAN reply follows; '0' when it is the last).
 * Reply: {'lost'} (the lease is another's: nothing done) | {'more'} | {'finished', counters as HGETALL}.
 */
function batchScript(body: string): string {
  return `
local p = ARGV[1]
local lease = p .. 'migration:' .. ARGV[2]
if redis.call('GET', lease) ~= ARGV[4] then return {'lost'} end
local counts = {}
local function count(name) counts[name] = (counts[name] or 0) + 1 end
do
${body}
end
local progress = lease .. ':progress'
for name, n in pairs(counts) do redis.call('HINCRBY', progress, name, n) end
if ARGV[6] ~= '0' then
  if ARGV[6] ~= '' then redis.call('HSET', progress, 'cursor', ARGV[6]) end
  redis.call('PEXPIRE', lease, tonumber(ARGV[5]))
  return {'more'}
end
redis.call('HSET', p .. 'migrations', ARGV[2], ARGV[3])
local all = redis.call('HGETALL', progress)
redis.call('DEL', progress, lease)
return {'finished', all}
`;
}

const DEFAULTS = { leaseMs: 15_000, batchKeys: 500, pauseMs: 5, pollMs: 1000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SCAN MATCH treats these as a pattern; a prefix means only itself. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Runs one KeyMigration to its end (or finds it done); see the layout above. Throws what the gate throws (an outage): run again to resume. */
export class RedisKeyMigration {
  private readonly options: Required<Omit<MigrationOptions, 'afterBatch'>> & Pick<MigrationOptions, 'afterBatch'>;
  private readonly script: string;
  private readonly lease: string;
  private batches = 0;

  constructor(
    private readonly gate: RedisGate,
    private readonly prefix: string,
    private readonly migration: KeyMigration,
    /** Who holds the lease: one id per process (its store's), so that its run after an outage takes its own lease back at once. */
    private readonly owner: string,
    options: MigrationOptions = {},
  ) {
    this.options = { ...DEFAULTS, stopped: () => false, ...options };
    this.script = batchScript(migration.body);
    this.lease = prefix + 'migration:' + migration.name;
  }

  async run(): Promise<MigrationRun> {
    const { name, version } = this.migration;
    for (;;) {
      if (this.options.stopped()) return this.ended('stopped');
      const keys = [this.prefix + 'migrations', this.lease, this.lease + ':progress'];
      const claim = await this.gate.run((c) => c.eval(CLAIM, { keys, arguments: [name, String(version), this.owner, String(this.options.leaseMs)] }));
      if (!Array.isArray(claim)) throw new Error(`unexpected reply from the migration claim: ${JSON.stringify(claim)}`);
      if (claim[0] === 'already') return this.ended('already');
      if (claim[0] === 'busy') await sleep(this.options.pollMs);
      else {
        const done = await this.walk(String(claim[1]));
        if (done) return done;
      }
    }
  }

  /** From `cursor` to the end of the SCAN; null when the lease was lost to another process (claim again). */
  private async walk(start: string): Promise<MigrationRun | null> {
    const { batchKeys, pauseMs, afterBatch, stopped } = this.options;
    const match = globEscape(this.prefix) + this.migration.match;
    let cursor = start;
    for (;;) {
      if (stopped()) {
        await this.gate.run((c) => c.eval(RELEASE, { keys: [this.lease], arguments: [this.owner] }));
        return this.ended('stopped');
      }
      const found = await this.gate.run((c) => c.scan(cursor, { MATCH: match, COUNT: batchKeys }));
      // COUNT is a hint: a reply may hold more keys than asked, and each script stays within batchKeys.
      const chunks = chunked(found.keys, batchKeys);
      for (let i = 0; i < chunks.length; i++) {
        const reply = await this.batch(chunks[i]!, i === chunks.length - 1 ? found.cursor : '');
        if (reply[0] === 'lost') return null;
        if (reply[0] === 'finished') {
          this.batches++;
          return this.ended('finished', counters(reply[1]));
        }
      }
      this.batches++;
      cursor = found.cursor;
      await afterBatch?.();
      await sleep(pauseMs);
    }
  }

  private async batch(keys: string[], next: string): Promise<unknown[]> {
    const { name, version } = this.migration;
    const args = [this.prefix, name, String(version), this.owner, String(this.options.leaseMs), next];
    const reply = await this.gate.run((c) => c.eval(this.script, { keys, arguments: args }));
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error(`unexpected reply from the migration ${name}: ${JSON.stringify(reply)}`);
    return reply;
  }

  private ended(outcome: MigrationRun['outcome'], counts: Record<string, number> = {}): MigrationRun {
    return { outcome, counts, batches: this.batches };
  }
}

/** Never empty: a SCAN reply with no keys still moves the cursor (or ends the walk) through one script. */
function chunked(keys: string[], size: number): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += size) chunks.push(keys.slice(i, i + size));
  return chunks.length > 0 ? chunks : [[]];
}

/** The progress hash as HGETALL's flat list, without its own fields. */
function counters(flat: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!Array.isArray(flat)) return counts;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = String(flat[i]);
    if (name !== 'version' && name !== 'cursor') counts[name] = Number(flat[i + 1]);
  }
  return counts;
}

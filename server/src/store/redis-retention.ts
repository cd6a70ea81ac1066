import type { RedisGate } from './redis-availability.ts';

/*
 * Retention in Redis (the rules in session/retention.ts): `retention` is a sorted set of session ids scored
 * by the moment (ms) after which the session and everything of it may go. Any process may run the removal
 * (REMOVE_DUE): one script removes a session whole, checks the moment again inside, and finds nothing to do
 * the second time, so processes need no coordination. A TTL on each key would not do: keys written after the
 * end (a snapshot, a token, a redemption count) would outlive it, and the sets (`sessions`, `timers`,
 * `bots:sessions`) hold members, which cannot expire.
 */

/**
 * Sets (or, with ARGV[2] '', clears) a session's moment, only while the session exists, so a late write
 * never brings a removed session back into the set. KEYS: session hash, retention zset. ARGV: id, moment.
 */
const RETAIN = `
if ARGV[2] == '' then return redis.call('ZREM', KEYS[2], ARGV[1]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
`;

/**
 * removeSession(p, id) removes one session whole: its records, its codes (those in the session hash and those
 * re-issued since, each only while it still names this session: a code revoked long ago may name another
 * session now), its tokens (`tokens:{id}`, and the creator's from the hash, which sessions stored before the
 * index also have) with their socket places, and its members of the sets. UNLINK frees a long log off Redis's
 * main thread.
 */
const REMOVE_SESSION = `
local function removeSession(p, id)
  local function dropGrant(key)
    local raw = redis.call('GET', key)
    if raw and cjson.decode(raw).sessionId == id then redis.call('UNLINK', key) end
  end
  local function dropToken(hash)
    dropGrant(p .. 'token:' .. hash)
    redis.call('UNLINK', p .. 'token-sockets:' .. hash)
  end
  local session = p .. 'session:' .. id
  local codes = redis.call('HGET', session, 'codes')
  if codes then for _, c in ipairs(cjson.decode(codes)) do dropGrant(p .. 'code:' .. c.code) end end
  local owner = redis.call('HGET', session, 'facilitatorTokenHash')
  if owner then dropToken(owner) end
  for _, state in ipairs(redis.call('HVALS', p .. 'access:' .. id)) do
    local code = cjson.decode(state).code
    if type(code) == 'string' then dropGrant(p .. 'code:' .. code) end
  end
  for _, hash in ipairs(redis.call('SMEMBERS', p .. 'tokens:' .. id)) do dropToken(hash) end
  for _, kind in ipairs({'session', 'log', 'cmds', 'barrier', 'snap', 'access', 'redeemed', 'tokens', 'bots:lease'}) do
    redis.call('UNLINK', p .. kind .. ':' .. id)
  end
  redis.call('ZREM', p .. 'sessions', id)
  redis.call('ZREM', p .. 'timers', id)
  redis.call('HDEL', p .. 'timers:data', id)
  redis.call('SREM', p .. 'bots:sessions', id)
  redis.call('ZREM', p .. 'retention', id)
end
`;

/** Removes up to ARGV[3] sessions whose moment is at most ARGV[2]. ARGV: key prefix, now, most sessions. Reply: their ids. */
const REMOVE_DUE = REMOVE_SESSION + `
local ids = redis.call('ZRANGEBYSCORE', ARGV[1] .. 'retention', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do removeSession(ARGV[1], id) end
return ids
`;

/**
 * What a process wrote for a session removed meanwhile (a command it took on its copy before its sweep let
 * go of it: a log with no session), removed once that copy is gone, only while the session hash is missing.
 * ARGV: key prefix, then session ids.
 */
const REMOVE_LEFT = REMOVE_SESSION + `
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[1] .. 'session:' .. ARGV[i]) == 0 then removeSession(ARGV[1], ARGV[i]) end
end
return 'ok'
`;

/**
 * Gives up to ARGV[3] sessions with no moment (stored before retention existed, or whose creator died between
 * storing it and its moment) one: ARGV[2] ms after the later of its creation and its log's last entry, as if
 * it had not ended (an ended one gets its shorter moment when a process next loads it). NX: a moment written
 * meanwhile stands. ARGV: key prefix, SESSION_IDLE_RETAIN_MS, most sessions. Reply: how many were given one.
 */
const ADOPT_UNMARKED = `
local p = ARGV[1]
local ids = redis.call('ZDIFF', 2, p .. 'sessions', p .. 'retention')
local n = 0
for _, id in ipairs(ids) do
  if n >= tonumber(ARGV[3]) then break end
  local last = tonumber(redis.call('ZSCORE', p .. 'sessions', id))
  local tail = redis.call('XREVRANGE', p .. 'log:' .. id, '+', '-', 'COUNT', 1)
  if #tail > 0 then
    local at = cjson.decode(tail[1][2][2]).at
    if type(at) == 'number' and at > last then last = at end
  end
  redis.call('ZADD', p .. 'retention', 'NX', last + tonumber(ARGV[2]), id)
  n = n + 1
end
return n
`;

/** KEYS: session hashes. Reply: 1 for each that exists, 0 for each that does not. */
const EXISTING = `
local found = {}
for i, key in ipairs(KEYS) do found[i] = redis.call('EXISTS', key) end
return found
`;

export class RedisRetention {
  constructor(
    private readonly gate: RedisGate,
    private readonly prefix: string,
  ) {}

  async retainUntil(sessionId: string, at: number | null): Promise<void> {
    const keys = [this.prefix + 'session:' + sessionId, this.prefix + 'retention'];
    await this.gate.run((c) => c.eval(RETAIN, { keys, arguments: [sessionId, at === null ? '' : String(Math.ceil(at))] }));
  }

  async removeDue(now: number, limit: number): Promise<string[]> {
    const reply = await this.gate.run((c) => c.eval(REMOVE_DUE, { arguments: [this.prefix, String(Math.floor(now)), String(limit)] }));
    if (!Array.isArray(reply) || !reply.every((id) => typeof id === 'string')) throw new Error(`unexpected reply from the removal script: ${JSON.stringify(reply)}`);
    return reply as string[];
  }

  async removeLeft(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length > 0) await this.gate.run((c) => c.eval(REMOVE_LEFT, { arguments: [this.prefix, ...sessionIds] }));
  }

  async adoptUnmarked(idleMs: number, limit: number): Promise<number> {
    const reply = await this.gate.run((c) => c.eval(ADOPT_UNMARKED, { arguments: [this.prefix, String(idleMs), String(limit)] }));
    if (typeof reply !== 'number') throw new Error(`unexpected reply from the adoption script: ${JSON.stringify(reply)}`);
    return reply;
  }

  async gone(sessionIds: readonly string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const reply = await this.gate.run((c) => c.eval(EXISTING, { keys: sessionIds.map((id) => this.prefix + 'session:' + id) }));
    if (!Array.isArray(reply) || reply.length !== sessionIds.length) throw new Error(`unexpected reply from the existence script: ${JSON.stringify(reply)}`);
    return sessionIds.filter((_, i) => reply[i] === 0);
  }
}

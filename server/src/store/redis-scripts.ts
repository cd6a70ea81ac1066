import { LogEntry } from '@rubicon/shared';
import type { BatchAppendResult } from './types.ts';

/*
 * What runs inside Redis for the store (redis-store.ts): each script is one
 * atomic step, so a session, an import, an append or a revocation is there
 * whole or not at all, whatever else writes to the same Redis meanwhile.
 */

/**
 * The log's single writer rule, for one entry or several at once (one round
 * trip for a batch). Duplicate before conflict, so that a retry of an
 * already accepted command is recognised even though the log has moved on.
 * The head is read from the last stream id rather than XLEN so that it stays
 * right even if old entries were ever trimmed. Nothing is written unless
 * every entry is.
 * On a conflict the reply carries the entries from the batch's position on
 * (if the log is ahead by at most ARGV[2]), so the writer needs no read.
 * Once written, the entries are published to the other processes
 * (append-notice.ts): ARGV[4] is the notice's head (writer and session), then
 * the log's new head, and the entries go with it when there are at most ARGV[5].
 * Entries may carry limits (EntryLimit): after the duplicate and conflict
 * checks, each entry is counted in order against its limits' counters
 * (rate-limiter-flexible's layout: an integer that expires with its window,
 * set on its first count); if one would go over its budget, nothing is
 * written or counted and the reply names it, else every count is added with
 * the entries. So a limited command costs the one round trip of its append.
 * A movable batch (Placement in types.ts) planned behind the head is placed
 * at the head when the log's barrier (KEYS[3]; missing: the head) is at most
 * its planned position: its entries are renumbered there (each entry's JSON
 * comes without its seq, which the script puts first), and the reply carries
 * the entries it was placed after, as a conflict's does. KEYS[3] then holds
 * the seq of the batch's last barrier entry, if it has one. A placement that would take the batch past
 * ARGV[9] (the log's cap for plain commands) is not made: the reply is the conflict's.
 * KEYS: log stream, command hash, barrier, then each entry's limit counters in order. ARGV: first seq,
 * most missed entries to return, notice channel, notice head, most entries a notice carries, the number of
 * entries, '1' if the batch is movable, 1 + the index of its last barrier entry (0: none), the highest seq
 * its last entry may take when placed past its planned position (AppendOptions.placeUpTo), then per entry:
 * command id, entry JSON after its seq (`"at":...}`), its number of limits, and per limit its budget and
 * window in seconds.
 * Reply: {'ok', last seq, entry JSON placed after...} | {'conflict', head, entry JSON...}
 * | {'duplicate', index, seq, index, seq, ...} | {'limited', index, link, ms left in the window} (indexes from 0).
 */
export const APPEND = `
local first = tonumber(ARGV[1])
local n = tonumber(ARGV[6])
local ids, entries, limits = {}, {}, {}
local a, k = 10, 4
for i = 1, n do
  ids[i] = ARGV[a]
  entries[i] = ARGV[a + 1]
  local own = {}
  for l = 1, tonumber(ARGV[a + 2]) do
    own[l] = {KEYS[k], tonumber(ARGV[a + 1 + 2 * l]), tonumber(ARGV[a + 2 + 2 * l])}
    k = k + 1
  end
  limits[i] = own
  a = a + 3 + 2 * #own
end
local seen = redis.call('HMGET', KEYS[2], unpack(ids))
local dups = {'duplicate'}
for i = 1, n do
  if seen[i] then
    dups[#dups + 1] = i - 1
    dups[#dups + 1] = tonumber(seen[i])
  end
end
if #dups > 1 then return dups end
local head = 0
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then head = tonumber(string.match(last[1][1], '^(%d+)-')) end
local known = redis.call('GET', KEYS[3])
local barrier = tonumber(known or head)
local missed = {}
if head ~= first - 1 then
  local reply = {'conflict', head}
  if head > first - 1 and head - first + 1 <= tonumber(ARGV[2]) then
    for _, e in ipairs(redis.call('XRANGE', KEYS[1], first .. '-0', '+')) do reply[#reply + 1] = e[2][2] end
  end
  if ARGV[7] ~= '1' or head < first - 1 or barrier > first - 1 or head + n > tonumber(ARGV[9]) then return reply end
  missed = reply
  first = head + 1
end
local count, added, window = {}, {}, {}
for i = 1, n do
  for l, link in ipairs(limits[i]) do
    local key = link[1]
    if count[key] == nil then
      count[key] = tonumber(redis.call('GET', key) or '0')
      added[key] = 0
      window[key] = link[3]
    end
    if count[key] + 1 > link[2] then
      local left = redis.call('PTTL', key)
      if left < 0 then left = 1000 * link[3] end
      return {'limited', i - 1, l - 1, left}
    end
    count[key] = count[key] + 1
    added[key] = added[key] + 1
  end
end
for key, m in pairs(added) do
  if not redis.call('SET', key, m, 'EX', window[key], 'NX') then
    redis.call('INCRBY', key, m)
    if redis.call('PTTL', key) == -1 then redis.call('EXPIRE', key, window[key]) end
  end
end
local fields = {}
for i = 1, n do
  local seq = first + i - 1
  entries[i] = '{"seq":' .. seq .. ',' .. entries[i]
  redis.call('XADD', KEYS[1], seq .. '-0', 'e', entries[i])
  fields[2 * i - 1] = ids[i]
  fields[2 * i] = seq
end
redis.call('HSET', KEYS[2], unpack(fields))
local ends = tonumber(ARGV[8])
if ends > 0 then redis.call('SET', KEYS[3], first + ends - 1)
elseif not known then redis.call('SET', KEYS[3], barrier) end
local body = ''
if n <= tonumber(ARGV[5]) then body = '[' .. table.concat(entries, ',') .. ']' end
redis.call('PUBLISH', ARGV[3], ARGV[4] .. '\\n' .. (first + n - 1) .. '\\n' .. body)
local reply = {'ok', first + n - 1}
for i = 3, #missed do reply[i] = missed[i] end
return reply
`;

/**
 * The heads of several logs in one round trip (the log poll's, for every
 * session a process holds sockets for), read as APPEND reads one.
 * KEYS: log streams. Reply: one seq per key, 0 for an empty log.
 */
export const HEADS = `
local heads = {}
for i, key in ipairs(KEYS) do
  local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
  heads[i] = 0
  if #last > 0 then heads[i] = tonumber(string.match(last[1][1], '^(%d+)-')) end
end
return heads
`;


/**
 * All or nothing, so that a session never exists with only some of its codes,
 * and a code already naming another session is never overwritten. The store's
 * cap (MAX_SESSIONS) is counted here, on `sessions` (retention removes a session
 * from it), so two processes cannot both take the last place.
 * KEYS: session hash, sessions zset, then one key per code; ARGV: session id,
 * createdAt, the hash's field/value pairs as JSON, the cap (0: none), then one
 * grant per code.
 */
export const CREATE_SESSION = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'session-exists' end
local max = tonumber(ARGV[4])
if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then return 'full' end
for i = 3, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 'code-taken:' .. (i - 2) end
end
local fields = cjson.decode(ARGV[3])
for i = 1, #fields, 2 do redis.call('HSET', KEYS[1], fields[i], fields[i + 1]) end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
for i = 3, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 2]) end
return 'ok'
`;

/**
 * An import's log goes in chunks under its new session id, invisible while
 * no session hash names it, and set to expire: a process that dies half way
 * leaves only keys that vanish. KEYS: log stream, command hash. ARGV: ttl
 * seconds, then seq, command id, entry JSON for each entry.
 */
export const STAGE_IMPORT = `
for i = 2, #ARGV, 3 do
  redis.call('XADD', KEYS[1], ARGV[i] .. '-0', 'e', ARGV[i + 2])
  redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i])
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 'ok'
`;

/**
 * Makes a staged import a session, all at once: CREATE_SESSION's checks, a
 * check that the whole log was staged, then the session hash, its codes, its
 * snapshot and facilitator token, and the log kept for good. Refused for the
 * cap, the staged log goes at once rather than when it expires.
 * KEYS: session hash, sessions zset, log, cmds, snapshot, facilitator token, the session's token index
 * (redis-retention.ts), then one per code.
 * ARGV: session id, createdAt, hash fields JSON, log length, snapshot JSON, token grant, the token's hash, the
 * cap (0: none), then one grant per code.
 */
export const COMMIT_IMPORT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'session-exists' end
local max = tonumber(ARGV[8])
if max > 0 and redis.call('ZCARD', KEYS[2]) >= max then
  redis.call('UNLINK', KEYS[3], KEYS[4])
  return 'full'
end
for i = 8, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 'code-taken:' .. (i - 7) end
end
if redis.call('XLEN', KEYS[3]) ~= tonumber(ARGV[4]) then return 'incomplete' end
local fields = cjson.decode(ARGV[3])
for i = 1, #fields, 2 do redis.call('HSET', KEYS[1], fields[i], fields[i + 1]) end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
redis.call('PERSIST', KEYS[3])
redis.call('PERSIST', KEYS[4])
redis.call('SET', KEYS[5], ARGV[5])
redis.call('SET', KEYS[6], ARGV[6])
redis.call('SADD', KEYS[7], ARGV[7])
for i = 8, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1]) end
return 'ok'
`;


/**
 * Revokes (and re-issues) one access key at once: the old code goes, the
 * generation goes up, the new code (if any) comes, and the new token (if
 * any) is saved at the new generation, and named in the session's token index
 * (redis-retention.ts). KEYS: access hash, new code key, new token key, token
 * index; ARGV: key, code as created, new code or '', the code key prefix,
 * session id, role JSON, the token's hash or ''.
 */
export const ROTATE_ACCESS = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local code = ARGV[2]
local gen = 0
if cur then
  local c = cjson.decode(cur)
  code = c.code
  gen = c.generation
end
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 'code-taken' end
if type(code) == 'string' and code ~= '' then redis.call('DEL', ARGV[4] .. code) end
gen = gen + 1
local state = '{"code":null,"generation":' .. gen .. '}'
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[2], cjson.encode({ sessionId = ARGV[5], role = cjson.decode(ARGV[6]), key = ARGV[1], generation = gen }))
  state = cjson.encode({ code = ARGV[3], generation = gen })
end
if ARGV[7] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[7])
  redis.call('SET', KEYS[3], cjson.encode({ sessionId = ARGV[5], role = cjson.decode(ARGV[6]), key = ARGV[1], generation = gen }))
end
redis.call('HSET', KEYS[1], ARGV[1], state)
return state
`;

/** APPEND's reply as the store's result; anything else it could not have sent is an error. */
export function decodeAppendReply(reply: unknown, sessionId: string): BatchAppendResult {
  const unexpected = () => new Error(`unexpected reply from append script: ${JSON.stringify(reply)}`);
  if (!Array.isArray(reply)) throw unexpected();
  const [outcome, first, ...rest] = reply as unknown[];
  if (typeof first !== 'number') throw unexpected();
  if (outcome === 'ok') {
    if (rest.length === 0) return { ok: true, seq: first };
    const missed = rest.map((json) => LogEntry.parse(JSON.parse(String(json))));
    if ((missed.at(-1)?.seq ?? first) >= first) throw unexpected();
    return { ok: true, seq: first, missed };
  }
  if (outcome === 'conflict') {
    if (rest.length === 0) return { ok: false, reason: 'conflict', head: first };
    const missing = rest.map((json) => LogEntry.parse(JSON.parse(String(json))));
    if (missing.at(-1)?.seq !== first) throw new Error(`log ${sessionId}: the entries a conflict returned do not reach its head ${first}`);
    return { ok: false, reason: 'conflict', head: first, missing };
  }
  if (outcome === 'limited' && rest.length === 2 && typeof rest[0] === 'number' && typeof rest[1] === 'number') return { ok: false, reason: 'limited', index: first, link: rest[0], retryAfterMs: Math.max(1, rest[1]) };
  const n = [first, ...rest];
  if (outcome === 'duplicate' && n.length % 2 === 0 && n.every((x) => typeof x === 'number')) {
    const pairs = n as number[];
    const duplicates = Array.from({ length: pairs.length / 2 }, (_, i) => ({ index: pairs[2 * i] ?? 0, seq: pairs[2 * i + 1] ?? 0 }));
    return { ok: false, reason: 'duplicate', duplicates };
  }
  throw unexpected();
}

/**
 * Gives a token stored without an access key one (SessionStore.keyLegacyToken): the key `toKey` at
 * generation 0 if its generation is `fromKey`'s current one, else `fromKey` at its own generation. KEYS:
 * token key, access hash; ARGV: session id, fromKey, toKey.
 */
export const KEY_LEGACY_TOKEN = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 'unchanged' end
local grant = cjson.decode(raw)
if grant.key ~= nil or grant.sessionId ~= ARGV[1] then return 'unchanged' end
local generation = grant.generation or 0
local current = 0
local state = redis.call('HGET', KEYS[2], ARGV[2])
if state then current = cjson.decode(state).generation end
if generation == current then
  grant.key = ARGV[3]
  grant.generation = 0
  redis.call('SET', KEYS[1], cjson.encode(grant))
  return 'keyed'
end
grant.key = ARGV[2]
grant.generation = generation
redis.call('SET', KEYS[1], cjson.encode(grant))
return 'pinned'
`;

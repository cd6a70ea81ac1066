/**
 * The Redis side of a cap of places per key across processes (shared-places.ts): SOCKETS_PER_TOKEN, keyed by
 * a token's hash, and ANONYMOUS_SOCKETS_PER_ADDRESS, keyed by a client address, each with keys of its own.
 * Each key (a token, say) has a hash of its places, socket id → the id of the process holding that socket;
 * one hash of leases holds each live process's id → the Redis time (ms) its lease runs to. A place whose
 * process has no lease running is lapsed: that process was killed, stopped or cut off, and its places are
 * dropped the next time they are in the way. Time is Redis's own (TIME), one clock for every process.
 */

/** Now by Redis's clock, in ms; and dropLapsed(places, leases, now), which drops lapsed places and returns how many are left. */
const COMMON = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function dropLapsed(places, leases, now)
  local entries = redis.call('HGETALL', places)
  local live = {}
  for i = 1, #entries, 2 do
    local owner = entries[i + 1]
    if live[owner] == nil then live[owner] = tonumber(redis.call('HGET', leases, owner) or '0') > now end
    if not live[owner] then redis.call('HDEL', places, entries[i]) end
  end
  return redis.call('HLEN', places)
end
`;

/**
 * A take (a hello's, or a new socket's), atomically: a socket already counted under the key is counted once; below the cap
 * (lapsed places included, which is then never too many) the place is added at once; at the cap the
 * lapsed places are dropped first and the count made again. The places are scanned only at the cap, so
 * a take costs the same however many sockets a token may hold (tests allow thousands).
 * KEYS: the token's places, the leases. ARGV: socket id, process id, cap, the places' TTL in ms.
 * Reply: 1 counted, 0 at the cap (nothing added).
 */
export const TAKE_PLACE = `${COMMON}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
local cap = tonumber(ARGV[3])
if redis.call('HLEN', KEYS[1]) >= cap and dropLapsed(KEYS[1], KEYS[2], nowMs()) >= cap then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * A process's renewal, every third of its lease: its lease runs on, leases that ran out are forgotten,
 * every place it holds is written again (so a place lost to anything, a lapse included, comes back within
 * one renewal) with its token's TTL renewed, and the places it failed to give back are given back.
 * Found lapsed, it also counts each of its tokens again, lapsed places dropped, and names those over the
 * cap: places others took while it could not renew, which it now gives up by dropping its own sockets.
 * KEYS: the leases; then `held` tokens' places this process holds; then tokens' places to give back.
 * ARGV: process id, lease in ms, cap, held; then for each key after the leases a count and that many socket ids.
 * Reply: 1 if the lease had lapsed, else 0; then (lapsed only) pairs of a held token's index (1-based) and its excess.
 */
export const RENEW_LEASE = `${COMMON}
local owner, ttl, cap, held = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = nowMs()
local lapsed = tonumber(redis.call('HGET', KEYS[1], owner) or '0') <= now
local leases = redis.call('HGETALL', KEYS[1])
for i = 1, #leases, 2 do
  if tonumber(leases[i + 1]) <= now then redis.call('HDEL', KEYS[1], leases[i]) end
end
redis.call('HSET', KEYS[1], owner, string.format('%.0f', now + ttl))
local reply = {lapsed and 1 or 0}
local a = 5
for k = 2, #KEYS do
  local n = tonumber(ARGV[a])
  local mine = k <= held + 1
  for i = a + 1, a + n do
    if mine then redis.call('HSET', KEYS[k], ARGV[i], owner) else redis.call('HDEL', KEYS[k], ARGV[i]) end
  end
  a = a + n + 1
  if mine then
    redis.call('PEXPIRE', KEYS[k], ttl)
    if lapsed then
      local count = dropLapsed(KEYS[k], KEYS[1], now)
      if count > cap then
        reply[#reply + 1] = k - 1
        reply[#reply + 1] = count - cap
      end
    end
  end
end
return reply
`;

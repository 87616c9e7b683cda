// The Lua scripts that keep every shared count atomic in Redis: per-node holds summed over live nodes, token buckets, node heartbeats and a node's full resync.

/**
 * Shared by every script: `now` from the server's clock (one clock for every node), `live(node)` from the nodes hash
 * (KEYS[1], node -> heartbeat expiry in ms), `since()` (when this Redis began holding the state) and `total(key)`, the
 * sum of a per-node hash over live nodes. The calling node (ARGV[1]) always counts.
 */
const PRELUDE = `
pcall(redis.replicate_commands)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me = ARGV[1]
local alive = { [me] = true }
local function live(node)
  local a = alive[node]
  if a == nil then
    local e = redis.call('HGET', KEYS[1], node)
    a = e ~= false and tonumber(e) > now
    alive[node] = a
  end
  return a
end
-- When this Redis began holding shared state (a field of the nodes hash, never a node): written by the first script
-- after a start or a flush, and moved back if the server's clock did.
local SINCE = '~since'
local function since()
  local s = tonumber(redis.call('HGET', KEYS[1], SINCE))
  if s == nil or s > now then
    s = now
    redis.call('HSET', KEYS[1], SINCE, s)
  end
  return s
end
local function total(key)
  local kv = redis.call('HGETALL', key)
  local sum = 0
  for i = 1, #kv, 2 do
    if live(kv[i]) then sum = sum + tonumber(kv[i + 1]) end
  end
  return sum
end
`

/**
 * Takes a call's share of shared limits, all or nothing. KEYS[1] nodes hash, KEYS[2] the node's key set, KEYS[3..]
 * data keys. ARGV: me, then a program of indexes into KEYS:
 *   nb, nb x (bucket key, rate per s, burst)                           token buckets, taken in order
 *   nc, nc x (count key, limit, nr, nr x (count key, lines reserved))  limits: total + 1 + sum of max(0, reserved - total) <= limit
 *   ni, ni x count key                                                 incremented for this node when everything passed
 * Returns {0} when taken, {1, i} when bucket i (1-based) was empty, {2, i} when limit i was full. A bucket passed
 * before a refusal keeps its token taken (the limit paces attempts, as VOS3000's does).
 *
 * A bucket Redis does not hold starts full (an idle bucket expires once it would be full anyway), except in the first
 * burst / rate seconds after this Redis began holding state (`since`): a restarted, empty Redis must not add a whole
 * burst to what the nodes admitted on their shares while it was down, so it starts with what it refilled since then.
 * A bucket stamped in the future (the server's clock went back, or a failover to a replica behind) refills from now
 * instead of waiting for that time: never a lock-out.
 */
export const TAKE_LUA = PRELUDE + `
local a = 2
local nb = tonumber(ARGV[a]); a = a + 1
for i = 1, nb do
  local key = KEYS[tonumber(ARGV[a])]
  local rate = tonumber(ARGV[a + 1])
  local burst = tonumber(ARGV[a + 2])
  a = a + 3
  local b = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(b[1])
  local at = tonumber(b[2])
  if tokens == nil or at == nil then
    tokens = math.min(burst, (now - since()) * rate / 1000)
    at = now
  end
  if at > now then at = now end
  if now > at then
    tokens = math.min(burst, tokens + (now - at) * rate / 1000)
    at = now
  end
  local ok = tokens >= 1
  if ok then tokens = tokens - 1 end
  redis.call('HSET', key, 't', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  if not ok then return { 1, i } end
end
local nc = tonumber(ARGV[a]); a = a + 1
for i = 1, nc do
  local key = KEYS[tonumber(ARGV[a])]
  local limit = tonumber(ARGV[a + 1])
  local nr = tonumber(ARGV[a + 2])
  a = a + 3
  local used = total(key)
  for r = 1, nr do
    local held = tonumber(ARGV[a + 1]) - total(KEYS[tonumber(ARGV[a])])
    if held > 0 then used = used + held end
    a = a + 2
  end
  if used + 1 > limit then return { 2, i } end
end
local ni = tonumber(ARGV[a]); a = a + 1
for i = 1, ni do
  local key = KEYS[tonumber(ARGV[a + i - 1])]
  redis.call('HINCRBY', key, me, 1)
  redis.call('SADD', KEYS[2], key)
end
return { 0 }
`

/** Gives back one hold per data key (KEYS[1..]) for node ARGV[1], never below zero. */
export const RELEASE_LUA = `
for i = 1, #KEYS do
  if redis.call('HINCRBY', KEYS[i], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[i], ARGV[1]) end
end
return 0
`

/** Adds ARGV[2] (may be negative) to node ARGV[1]'s amount in hash KEYS[1] (money reserved or pending); nothing left is deleted. Returns the live total (KEYS[2] nodes hash, KEYS[3] the node's key set). */
export const AMOUNT_LUA = PRELUDE + `
local key = KEYS[3]
local v = tonumber(redis.call('HINCRBYFLOAT', key, me, ARGV[2]))
if v <= 1e-9 then redis.call('HDEL', key, me) else redis.call('SADD', KEYS[2], key) end
return tostring(total(key))
`

/**
 * Reserves money for one call, all or nothing. KEYS[1] nodes hash, KEYS[2] the node's key set, KEYS[3] the account's
 * per-node hash of money reserved; ARGV: me, base (balance + overdraft as the node knows it), want (-1 = all that is
 * free), least. Grants min(want, base - what live nodes reserved) when that is at least `least` and adds it to this
 * node's amount. Returns the grant as a string, "0" when refused.
 */
export const RESERVE_LUA = PRELUDE + `
local key = KEYS[3]
local free = tonumber(ARGV[2]) - total(key)
local want = tonumber(ARGV[3])
local grant = free
if want >= 0 and want < free then grant = want end
if grant <= 0 or grant < tonumber(ARGV[4]) then return '0' end
redis.call('HINCRBYFLOAT', key, me, grant)
redis.call('SADD', KEYS[2], key)
return tostring(grant)
`

/** Sums of per-node hashes (KEYS[3..]) over live nodes, as strings (amounts are decimals). KEYS[1] nodes hash, KEYS[2] unused. */
export const TOTALS_LUA = PRELUDE + `
local out = {}
for i = 3, #KEYS do out[#out + 1] = tostring(total(KEYS[i])) end
return out
`

/**
 * Heartbeat: the node's expiry becomes now + ARGV[2] ms. KEYS[1] nodes hash; ARGV: me, ttl ms, reap after ms, the
 * key-set prefix. Nodes silent for longer than the reap time lose their entries everywhere. Returns
 * {1 if the node was still alive, live node ids...}; a 0 means its holds stopped counting and it must resync.
 */
export const HEARTBEAT_LUA = PRELUDE + `
local ttl = tonumber(ARGV[2])
local reap = tonumber(ARGV[3])
local prefix = ARGV[4]
local e = redis.call('HGET', KEYS[1], me)
local was = (e ~= false and tonumber(e) > now) and 1 or 0
redis.call('HSET', KEYS[1], me, now + ttl)
local out = { was }
local kv = redis.call('HGETALL', KEYS[1])
for i = 1, #kv, 2 do
  local node, exp = kv[i], tonumber(kv[i + 1])
  if node == SINCE then
  elseif exp > now then
    out[#out + 1] = node
  elseif exp + reap < now then
    local set = prefix .. node
    for _, key in ipairs(redis.call('SMEMBERS', set)) do redis.call('HDEL', key, node) end
    redis.call('DEL', set)
    redis.call('HDEL', KEYS[1], node)
  end
end
return out
`

/**
 * Full resync: node ARGV[1]'s entries everywhere become exactly ARGV[3..] for KEYS[3..] (what it holds now), its old
 * entries elsewhere are removed, and it heartbeats (ARGV[2] ms). KEYS[1] nodes hash, KEYS[2] the node's key set.
 * Returns the live node ids.
 */
export const SYNC_LUA = PRELUDE + `
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('HDEL', key, me) end
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do
  local v = ARGV[i]
  if tonumber(v) > 0 then
    redis.call('HSET', KEYS[i], me, v)
    redis.call('SADD', KEYS[2], KEYS[i])
  end
end
redis.call('HSET', KEYS[1], me, now + tonumber(ARGV[2]))
since()
local out = {}
local kv = redis.call('HGETALL', KEYS[1])
for i = 1, #kv, 2 do
  if kv[i] ~= SINCE and tonumber(kv[i + 1]) > now then out[#out + 1] = kv[i] end
end
return out
`

/**
 * Writes one shared entry (a ban or a username lock) that expires by itself. KEYS[1] the index (sorted set of entry
 * names by write sequence), KEYS[2] the sequence counter, KEYS[3] the entry. ARGV: name, value, time to live in ms.
 * The oldest index members whose entry expired are pruned, a few per write. Returns the entry's sequence number.
 */
export const ENTRY_PUT_LUA = `
local seq = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], ARGV[2], 'PX', math.max(1, math.floor(tonumber(ARGV[3]))))
redis.call('ZADD', KEYS[1], seq, ARGV[1])
local prefix = string.sub(KEYS[3], 1, #KEYS[3] - #ARGV[1])
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, 7)) do
  if redis.call('EXISTS', prefix .. name) == 0 then redis.call('ZREM', KEYS[1], name) end
end
return seq
`

/**
 * Entries written after sequence ARGV[1] (at most ARGV[2] of them), still alive. KEYS[1] the index; ARGV[3] the
 * entries' key prefix. Returns {last sequence read, name, value, name, value...}.
 */
export const ENTRY_READ_LUA = `
local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = { ARGV[1] }
for i = 1, #rows, 2 do
  local v = redis.call('GET', ARGV[3] .. rows[i])
  if v then
    out[#out + 1] = rows[i]
    out[#out + 1] = v
  end
  out[1] = rows[i + 1]
end
return out
`

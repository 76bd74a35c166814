// RedisStore's scripts for the distributed scheduler (src/schedule): closing due windows,
// leases on unresolved turns and the fenced commit. Same rules as redis-scripts.ts: one slot per
// call, everything validated before anything is written, violations as `GG <CODE>` errors.

export const RESOLUTION_SCRIPTS = {
  /** Scheduler: closes the game's window if its deadline (Redis TIME) has passed and, when
   *  `turn` is given, the game is still on that turn (the turn number fences late jobs).
   *  KEYS: game idx open ur unres. ARGV: id turn('' = any).
   *  → {'none'} | {'past'} | {'open', msLeft} | {'closed', turn, latenessMs}. */
  closeDue: `
local g = redis.call('HMGET', KEYS[1], 'id', 'act', 'turn', 'dl', 'co')
if not g[1] or g[2] ~= '1' or not g[4] or g[4] == '' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  if g[1] and ARGV[2] ~= '' and tonumber(g[3]) ~= tonumber(ARGV[2]) then return {'past'} end
  return {'none'}
end
local dl, turn = tonumber(g[4]), tonumber(g[3])
local ids = dec(g[5])
if dl == nil or turn == nil or ids == nil then return corrupt('window') end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= turn then return {'past'} end
local now = now_ms('')
if now < dl then return {'open', fmt(dl - now)} end
close_window(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], g[1], turn, ids, now)
return {'closed', g[3], fmt(now - dl)}`,

  /** Every open window of a bucket, for recovery. KEYS: open. ARGV: keyPrefix.
   *  → {now, id, deadline, turn, …}. */
  windows: `
local out = {fmt(now_ms(''))}
local list = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #list, 2 do
  out[#out+1] = list[i]
  out[#out+1] = list[i+1]
  out[#out+1] = redis.call('HGET', ARGV[1] .. 'g:' .. list[i], 'turn') or ''
end
return out`,

  /** Scheduler sweep of one bucket. KEYS: open unres. ARGV: max → {due windows…, '|', due resolutions…}. */
  due: `
local now = now_ms('')
local out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))
out[#out+1] = '|'
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))) do
  out[#out+1] = id
end
return out`,

  /** Claims the lowest unresolved turn with a lease. KEYS: game ur unres lease.
   *  ARGV: id owner leaseMs → {'none'} | {'busy', until} | {'claimed', turn, token, choices, channel}. */
  claim: `
local turns = redis.call('HKEYS', KEYS[2])
if #turns == 0 then redis.call('ZREM', KEYS[3], ARGV[1]); return {'none'} end
local low = nil
for _, t in ipairs(turns) do
  local n = tonumber(t)
  if n ~= nil and (low == nil or n < low) then low = n end
end
if low == nil then return corrupt('unresolved') end
local now = now_ms('')
local ls = redis.call('HMGET', KEYS[4], 'turn', 'token', 'until')
if ls[1] and tonumber(ls[1]) == low and (tonumber(ls[3]) or 0) > now then return {'busy', ls[3]} end
local token = redis.call('HINCRBY', KEYS[1], 'ftok', 1)
local untilMs = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[4], 'turn', fmt(low), 'token', tostring(token), 'until', fmt(untilMs), 'owner', ARGV[2])
redis.call('ZADD', KEYS[3], fmt(untilMs), ARGV[1])
local ch = redis.call('HGET', KEYS[1], 'ch')
return {'claimed', fmt(low), tostring(token), redis.call('HGET', KEYS[2], fmt(low)), ch or ''}`,

  /** Extends a held lease. KEYS: lease unres. ARGV: id turn token leaseMs → 1 | 0. */
  extend: `
local ls = redis.call('HMGET', KEYS[1], 'turn', 'token', 'until')
local now = now_ms('')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] or (tonumber(ls[3]) or 0) <= now then return 0 end
local untilMs = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'until', fmt(untilMs))
redis.call('ZADD', KEYS[2], fmt(untilMs), ARGV[1])
return 1`,

  /** Gives a lease back (resolution failed): retry after `delay`. KEYS: lease unres.
   *  ARGV: id turn token delayMs. */
  unlease: `
local ls = redis.call('HMGET', KEYS[1], 'turn', 'token')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[2], fmt(now_ms('') + tonumber(ARGV[4])), ARGV[1])
return 1`,

  /** Fenced, exactly-once commit of a resolved turn. KEYS: game ur unres lease hist idx hkeys.
   *  ARGV: id turn token key recordJson cap patchNow flags name title extra players.
   *  Refused (GG LEASELOST) unless the lease for `turn` with `token` is held and unexpired. */
  commit: `
local ls = redis.call('HMGET', KEYS[4], 'turn', 'token', 'until')
local now = now_ms('')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] or (tonumber(ls[3]) or 0) <= now then
  return redis.error_reply('GG LEASELOST')
end
local sets = nil
if ARGV[8] ~= '-' then
  sets = patch_sets(KEYS[1], ARGV[8], {ARGV[9], ARGV[10], ARGV[11], ARGV[12]}, tonumber(ARGV[7]))
  if sets == nil then return corrupt('players') end
end
local stored = record_turn(KEYS[1], KEYS[5], KEYS[7], KEYS[6], ARGV[1], ARGV[4], ARGV[5], ARGV[6], sets, ARGV[7])[1]
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[1], 'rs', ARGV[2])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[1])
else redis.call('ZADD', KEYS[3], fmt(now), ARGV[1]) end
return stored`,
} as const;

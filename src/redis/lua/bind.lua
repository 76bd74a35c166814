--[[
  Admin step 3: binds a game to a channel (boot: writes the given fields; swap: activates).
   KEYS: game idx open. ARGV: mode channel fence now [field value…].
   Returns {previous channel, previous bound flag, hash…}.
]]
local fk = 'f:' .. ARGV[2]
local prev = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', fk)
if prev[4] and tonumber(prev[4]) > tonumber(ARGV[3]) then return redis.error_reply('GG FENCED') end
if ARGV[1] == 'swap' then
  if not prev[1] then return redis.error_reply('GG NOGAME') end
  redis.call('HSET', KEYS[1], 'ch', ARGV[2], 'act', '1', 'dl', '', 'up', ARGV[4])
else
  local old = {}
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    local p = string.sub(f, 1, 2)
    if p == 'c:' or p == 'p:' then old[#old+1] = f end
  end
  if #old > 0 then redis.call('HDEL', KEYS[1], unpack(old)) end
  redis.call('HSET', KEYS[1], unpack(ARGV, 5))
end
redis.call('HSET', KEYS[1], 'bd', '1', fk, ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'id', 'up', 'dl')
redis.call('ZADD', KEYS[2], f[2], f[1])
if f[3] and f[3] ~= '' then redis.call('ZADD', KEYS[3], f[3], f[1])
else redis.call('ZREM', KEYS[3], f[1]) end
local out = {prev[2] or '', prev[3] or '0'}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out+1] = v end
return out

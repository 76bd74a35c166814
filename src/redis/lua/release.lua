--[[
  Admin step 2: exits a game from a channel unless a newer fence touched it.
   KEYS: game idx open. ARGV: channel fence now.
]]
local fk = 'f:' .. ARGV[1]
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act', fk)
if not g[1] then return 0 end
if g[5] and tonumber(g[5]) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], fk, ARGV[2])
if g[2] ~= ARGV[1] or g[3] ~= '1' then return 0 end
if g[4] == '1' then
  redis.call('HSET', KEYS[1], 'act', '0', 'dl', '', 'up', ARGV[3])
  redis.call('ZREM', KEYS[3], g[1])
  redis.call('ZADD', KEYS[2], ARGV[3], g[1])
end
redis.call('HSET', KEYS[1], 'bd', '0')
return 1

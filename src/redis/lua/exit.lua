--[[
  KEYS: game idx open. ARGV: channel now flags name title extra players countdown.
]]
--- @include "corrupt"
--- @include "patch_sets"
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act')
if not g[1] or g[2] ~= ARGV[1] or g[3] ~= '1' then return redis.error_reply('GG NOTRUNNING') end
if ARGV[3] == '!' then return redis.error_reply('GG INVALID') end
if g[4] ~= '1' then return redis.error_reply('GG INACTIVE') end
local sets = patch_sets(KEYS[1], ARGV[3], {ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]}, tonumber(ARGV[2]))
if sets == nil then return corrupt('players') end
redis.call('HSET', KEYS[1], unpack(sets))
redis.call('HSET', KEYS[1], 'act', '0', 'dl', '', 'bd', '0')
redis.call('ZREM', KEYS[3], g[1])
redis.call('ZADD', KEYS[2], ARGV[2], g[1])
return redis.call('HGETALL', KEYS[1])

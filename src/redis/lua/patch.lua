--[[
  KEYS: game idx. ARGV: now flags name title extra players countdown.
]]
--- @include "corrupt"
--- @include "patch_sets"
local g = redis.call('HMGET', KEYS[1], 'id')
if not g[1] then return redis.error_reply('GG NOGAME') end
if ARGV[2] == '!' then return redis.error_reply('GG INVALID') end
local sets = patch_sets(KEYS[1], ARGV[2], {ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]}, tonumber(ARGV[1]))
if sets == nil then return corrupt('players') end
redis.call('HSET', KEYS[1], unpack(sets))
redis.call('ZADD', KEYS[2], ARGV[1], g[1])
return 1

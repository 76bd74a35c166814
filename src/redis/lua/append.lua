--[[
  KEYS: game hist hkeys idx. ARGV: key('' none) json cap patchNow flags name title extra
   players countdown → {stored 1|0, member}.
]]
--- @include "corrupt"
--- @include "patch_sets"
--- @include "record_turn"
local g = redis.call('HMGET', KEYS[1], 'id')
if not g[1] then return redis.error_reply('GG NOGAME') end
if ARGV[5] == '!' then return redis.error_reply('GG INVALID') end
local sets = nil
if ARGV[5] ~= '-' then
  sets = patch_sets(KEYS[1], ARGV[5], {ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]}, tonumber(ARGV[4]))
  if sets == nil then return corrupt('players') end
end
return record_turn(KEYS[1], KEYS[2], KEYS[3], KEYS[4], g[1], ARGV[1], ARGV[2], ARGV[3], sets, ARGV[4])

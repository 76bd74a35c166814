--[[
  Fenced, exactly-once commit of a resolved turn. KEYS: game ur unres lease hist idx hkeys.
   ARGV: id turn token key recordJson cap patchNow flags name title extra players countdown.
   Refused (GG LEASELOST) unless the lease for `turn` with `token` is held and unexpired.
]]
--- @include "now_ms"
--- @include "fmt"
--- @include "corrupt"
--- @include "patch_sets"
--- @include "record_turn"
local ls = redis.call('HMGET', KEYS[4], 'turn', 'token', 'until')
local now = now_ms('')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] or (tonumber(ls[3]) or 0) <= now then
  return redis.error_reply('GG LEASELOST')
end
local sets = nil
if ARGV[8] ~= '-' then
  sets = patch_sets(KEYS[1], ARGV[8], {ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13]}, tonumber(ARGV[7]))
  if sets == nil then return corrupt('players') end
end
local stored = record_turn(KEYS[1], KEYS[5], KEYS[7], KEYS[6], ARGV[1], ARGV[4], ARGV[5], ARGV[6], sets, ARGV[7])[1]
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[1], 'rs', ARGV[2])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[1])
else redis.call('ZADD', KEYS[3], fmt(now), ARGV[1]) end
return stored

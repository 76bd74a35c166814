--[[
  Gives a lease back (resolution failed): retry after `delay`. KEYS: lease unres.
   ARGV: id turn token delayMs.
]]
--- @include "now_ms"
--- @include "fmt"
local ls = redis.call('HMGET', KEYS[1], 'turn', 'token')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZADD', KEYS[2], fmt(now_ms('') + tonumber(ARGV[4])), ARGV[1])
return 1

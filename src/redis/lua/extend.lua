--[[
  Extends a held lease. KEYS: lease unres. ARGV: id turn token leaseMs → 1 | 0.
]]
--- @include "now_ms"
--- @include "fmt"
local ls = redis.call('HMGET', KEYS[1], 'turn', 'token', 'until')
local now = now_ms('')
if ls[1] ~= ARGV[2] or ls[2] ~= ARGV[3] or (tonumber(ls[3]) or 0) <= now then return 0 end
local untilMs = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'until', fmt(untilMs))
redis.call('ZADD', KEYS[2], fmt(untilMs), ARGV[1])
return 1

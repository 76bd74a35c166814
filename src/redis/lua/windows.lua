--[[
  Every open window of a bucket, for recovery. KEYS: open. ARGV: keyPrefix.
   → {now, id, deadline, turn, …}.
]]
--- @include "now_ms"
--- @include "fmt"
local out = {fmt(now_ms(''))}
local list = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #list, 2 do
  out[#out+1] = list[i]
  out[#out+1] = list[i+1]
  out[#out+1] = redis.call('HGET', ARGV[1] .. 'g:' .. list[i], 'turn') or ''
end
return out

--[[
  Scheduler sweep of one bucket. KEYS: open unres. ARGV: max → {due windows…, '|', due resolutions…}.
]]
--- @include "now_ms"
--- @include "fmt"
local now = now_ms('')
local out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))
out[#out+1] = '|'
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))) do
  out[#out+1] = id
end
return out

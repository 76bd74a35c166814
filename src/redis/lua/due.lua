--[[
  Scheduler sweep of one bucket. KEYS: open unres. ARGV: max graceMs → {due windows…, '|', due
  resolutions…}. A resolution is due `graceMs` after the window closed or its lease ran out: the
  process that closed the window claims it at once, and a sweep elsewhere takes only what that
  process left.
]]
--- @include "now_ms"
--- @include "fmt"
local now = now_ms('')
local out = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now), 'LIMIT', 0, tonumber(ARGV[1]))
out[#out+1] = '|'
local graced = now - tonumber(ARGV[2])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', fmt(graced), 'LIMIT', 0, tonumber(ARGV[1]))) do
  out[#out+1] = id
end
return out

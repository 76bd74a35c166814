--[[
  Claims the lowest unresolved turn with a lease. KEYS: game ur unres lease.
   ARGV: id owner leaseMs → {'none'} | {'busy', until} | {'claimed', turn, token, choices, channel}.
]]
--- @include "now_ms"
--- @include "fmt"
--- @include "corrupt"
local turns = redis.call('HKEYS', KEYS[2])
if #turns == 0 then redis.call('ZREM', KEYS[3], ARGV[1]); return {'none'} end
local low = nil
for _, t in ipairs(turns) do
  local n = tonumber(t)
  if n ~= nil and (low == nil or n < low) then low = n end
end
if low == nil then return corrupt('unresolved') end
local now = now_ms('')
local ls = redis.call('HMGET', KEYS[4], 'turn', 'token', 'until')
if ls[1] and tonumber(ls[1]) == low and (tonumber(ls[3]) or 0) > now then return {'busy', ls[3]} end
local token = redis.call('HINCRBY', KEYS[1], 'ftok', 1)
local untilMs = now + tonumber(ARGV[3])
redis.call('HSET', KEYS[4], 'turn', fmt(low), 'token', tostring(token), 'until', fmt(untilMs), 'owner', ARGV[2])
redis.call('ZADD', KEYS[3], fmt(untilMs), ARGV[1])
local ch = redis.call('HGET', KEYS[1], 'ch')
return {'claimed', fmt(low), tostring(token), redis.call('HGET', KEYS[2], fmt(low)), ch or ''}

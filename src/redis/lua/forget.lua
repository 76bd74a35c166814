--[[
  Channel slot: forget games (pointer if it names one of them, and claimant entries).
   KEYS: chan claimants. ARGV: game ids.
]]
local cur = redis.call('HGET', KEYS[1], 'g')
for _, id in ipairs(ARGV) do
  if cur == id then redis.call('HDEL', KEYS[1], 'g') end
  redis.call('SREM', KEYS[2], id)
end
return 1

--[[
  Admin step 1 (channel slot). KEYS: chan claimants. ARGV: game ('' = unbind).
   Returns {fence, previous game or '', claimants…}.
]]
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local prev = redis.call('HGET', KEYS[1], 'g')
local out = {tostring(f), prev or ''}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out+1] = m end
if ARGV[1] ~= '' then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[1], 'g', ARGV[1])
else
  redis.call('HDEL', KEYS[1], 'g')
end
return out

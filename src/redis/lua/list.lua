--[[
  One bucket's slice of the index. KEYS: idx. ARGV: keyPrefix limit cursorScore('' = none).
   With a cursor: every game tied at the cursor's score, then `limit` below it.
   Returns flat rows: id name channel turn active created updated.
]]
local ids
local lim = tonumber(ARGV[2])
if ARGV[3] == '' then
  ids = redis.call('ZREVRANGE', KEYS[1], 0, lim - 1)
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[3])
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '-inf', 'LIMIT', 0, lim)) do
    ids[#ids+1] = id
  end
end
local out = {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. 'g:' .. id, 'name', 'ch', 'turn', 'act', 'cr', 'up')
  if f[6] then
    out[#out+1] = id
    for i = 1, 6 do out[#out+1] = f[i] or '' end
  end
end
return out

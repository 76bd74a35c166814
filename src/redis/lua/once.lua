--[[
  KEYS: once. ARGV: ttlMs → 1 for the first caller while the key lives, else 0.
]]
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0

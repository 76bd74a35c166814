--[[
  KEYS: hist. ARGV: count → the last `count` records, oldest first.
]]
return redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[1]), -1)

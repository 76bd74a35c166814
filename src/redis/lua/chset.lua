--[[
  KEYS: settings. ARGV: json → 1. The channel's settings, kept apart from its games.
]]
redis.call('SET', KEYS[1], ARGV[1])
return 1

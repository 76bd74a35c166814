--[[
  KEYS: settings. ARGV: none → the channel's settings JSON, or false when none were set.
]]
return redis.call('GET', KEYS[1])

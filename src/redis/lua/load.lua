--[[
  KEYS: game → the game hash as a flat list.
]]
return redis.call('HGETALL', KEYS[1])

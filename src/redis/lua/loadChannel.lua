--[[
  KEYS: chan → the bound game id or false.
]]
return redis.call('HGET', KEYS[1], 'g')

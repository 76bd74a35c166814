--[[
  KEYS: game hist ur lease idx open unres hkeys. ARGV: id → {channel, bound}.
]]
local g = redis.call('HMGET', KEYS[1], 'ch', 'bd')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[8])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
return {g[1] or '', g[2] or '0'}

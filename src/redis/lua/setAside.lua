--[[
  Moves an unreadable game aside as it is stored: its hash and history are renamed to the
  set-aside keys (kept for the operator), its other keys deleted, it leaves the bucket's indexes.
  The channel's pointer (another slot) is forgotten by the caller.
   KEYS: game hist hkeys ur lease idx open unres asideGame asideHist.
   ARGV: id now reason → 1 if moved, 0 if the game is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[9])
redis.call('HSET', KEYS[9], '_set_aside_at', ARGV[2], '_reason', ARGV[3])
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[10])
else
  redis.call('DEL', KEYS[10])
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[8], ARGV[1])
return 1

--[[
  Scheduler: closes the game's window if its deadline (Redis TIME) has passed and, when
   `turn` is given, the game is still on that turn (the turn number fences late jobs).
   KEYS: game idx open ur unres. ARGV: id turn('' = any).
   → {'none'} | {'past'} | {'open', msLeft} | {'closed', turn, latenessMs}.
]]
--- @include "now_ms"
--- @include "fmt"
--- @include "corrupt"
--- @include "dec"
--- @include "close_window"
local g = redis.call('HMGET', KEYS[1], 'id', 'act', 'turn', 'dl', 'co')
if not g[1] or g[2] ~= '1' or not g[4] or g[4] == '' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  if g[1] and ARGV[2] ~= '' and tonumber(g[3]) ~= tonumber(ARGV[2]) then return {'past'} end
  return {'none'}
end
local dl, turn = tonumber(g[4]), tonumber(g[3])
local ids = dec(g[5])
if dl == nil or turn == nil or ids == nil then return corrupt('window') end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= turn then return {'past'} end
local now = now_ms('')
if now < dl then return {'open', fmt(dl - now)} end
close_window(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], g[1], turn, ids, now)
return {'closed', g[3], fmt(now - dl)}

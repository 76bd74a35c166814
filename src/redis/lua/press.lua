--[[
  KEYS: game idx open. ARGV: channel user name choice turn('' any) now('' = TIME).
]]
--- @include "now_ms"
--- @include "fmt"
--- @include "corrupt"
--- @include "dec"
--- @include "append_id"
--- @include "split_player"
local uid, uname = ARGV[2], ARGV[3]
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act', 'turn', 'dl', 'cd', 'co', 'p:' .. uid, 'c:' .. uid)
if not g[1] or g[2] ~= ARGV[1] or g[3] ~= '1' then return redis.error_reply('GG NOTRUNNING') end
if g[4] ~= '1' then return redis.error_reply('GG INACTIVE') end
local turn = tonumber(g[5])
if turn == nil then return corrupt('turn_number') end
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= turn then
  return redis.error_reply('GG STALE ' .. ARGV[5] .. ' ' .. g[5])
end
local now = now_ms(ARGV[6])
local dl = nil
if g[6] and g[6] ~= '' then
  dl = tonumber(g[6])
  if dl == nil then return corrupt('window_deadline_ms') end
  if now >= dl then return redis.error_reply('GG CLOSED ' .. g[5]) end
end
local co = g[8]
if not co or co == '' then co = '[]' end
-- The order list is decoded only when the pending list goes back; otherwise it is only
-- appended to, as text, and checked for shape (a close decodes and validates it).
local ids = nil
if ARGV[7] == '1' then
  ids = dec(co)
  if ids == nil then return corrupt('pending_choices') end
elseif string.sub(co, 1, 1) ~= '[' or string.sub(co, -1) ~= ']' then
  return corrupt('pending_choices')
end
local first = 0
if dl == nil then
  local cd = tonumber(g[7])
  if cd == nil then return corrupt('countdown_seconds') end
  dl = now + cd * 1000
  first = 1
end
local dls, nows = fmt(dl), fmt(now)
local sets = {'c:' .. uid, ARGV[4]}
-- updated_at (and the saved-games index) move when a window opens, not on every press in it.
if first == 1 then
  sets[3] = 'dl'; sets[4] = dls; sets[5] = 'up'; sets[6] = nows
end
local joined
if g[9] then
  local name
  joined, name = split_player(g[9])
  if joined == nil then return corrupt('players') end
  if name ~= uname then sets[#sets+1] = 'p:' .. uid; sets[#sets+1] = joined .. '|' .. uname end
else
  local po = redis.call('HGET', KEYS[1], 'po') or '[]'
  joined = g[5]
  sets[#sets+1] = 'p:' .. uid; sets[#sets+1] = joined .. '|' .. uname
  sets[#sets+1] = 'po'; sets[#sets+1] = append_id(po, uid)
end
if not g[10] then
  if ids ~= nil then ids[#ids+1] = uid end
  co = append_id(co, uid)
  sets[#sets+1] = 'co'; sets[#sets+1] = co
end
redis.call('HSET', KEYS[1], unpack(sets))
if first == 1 then
  redis.call('ZADD', KEYS[2], nows, g[1])
  redis.call('ZADD', KEYS[3], dls, g[1])
end
local out = {first, dls, nows, g[5], joined, co}
if ARGV[7] ~= '1' then return out end
local fields = {}
for i, u in ipairs(ids) do fields[i] = 'c:' .. u end
for _, v in ipairs(redis.call('HMGET', KEYS[1], unpack(fields))) do out[#out+1] = v or '' end
return out

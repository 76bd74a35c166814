--[[
  KEYS: game idx open ur unres. ARGV: channel turn now early(1/0; 2: set aside, closing the
  turn even with no window open).
]]
--- @include "now_ms"
--- @include "fmt"
--- @include "corrupt"
--- @include "dec"
--- @include "close_window"
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'act', 'turn', 'dl', 'co', 'lw')
if not g[1] then return redis.error_reply('GG NOGAMECLOSE') end
if g[2] ~= ARGV[1] then return redis.error_reply('GG MOVED') end
local want = tonumber(ARGV[2])
if g[7] and g[7] ~= '' then
  local lw = dec(g[7])
  if lw == nil then return corrupt('last_window') end
  if tonumber(lw.t) == want then return {'closed', g[7]} end
end
if g[3] ~= '1' then return redis.error_reply('GG INACTIVE') end
local turn = tonumber(g[4])
if turn == nil then return corrupt('turn_number') end
if turn ~= want then return redis.error_reply('GG STALE ' .. ARGV[2] .. ' ' .. g[4]) end
local now = now_ms(ARGV[3])
if not g[5] or g[5] == '' then
  if ARGV[4] ~= '2' then return redis.error_reply('GG NOTSTARTED ' .. ARGV[2]) end
else
  local dl = tonumber(g[5])
  if dl == nil then return corrupt('window_deadline_ms') end
  if ARGV[4] == '0' and now < dl then return {'open', fmt(dl - now)} end
end
local co = g[6]
if not co or co == '' then co = '[]' end
local ids = dec(co)
if ids == nil then return corrupt('pending_choices') end
local pj = close_window(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], g[1], turn, ids, now)
return {'closed', '{"t":"' .. fmt(turn) .. '","c":' .. pj .. '}'}

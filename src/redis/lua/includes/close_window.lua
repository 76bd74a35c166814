--- @include "fmt"
--- @include "enc"
--- @include "pending_pairs"
local function close_window(gk, idxk, openk, urk, unresk, id, turn, ids, now)
  local pairs_, fields = pending_pairs(gk, ids)
  local pj = enc(pairs_)
  if #fields > 0 then redis.call('HDEL', gk, unpack(fields)) end
  redis.call('HSET', gk, 'lw', '{"t":"' .. fmt(turn) .. '","c":' .. pj .. '}', 'co', '[]',
    'dl', '', 'turn', fmt(turn + 1), 'up', fmt(now))
  redis.call('ZADD', idxk, fmt(now), id)
  redis.call('ZREM', openk, id)
  redis.call('HSET', urk, fmt(turn), pj)
  redis.call('ZADD', unresk, fmt(now), id)
  return pj
end

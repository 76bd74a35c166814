--- @include "fmt"
-- Appends a turn record to the history `hk` (a ZSET scored by append number, members
-- "<n>|<json>"; records written before numbering are bare JSON scored by their turn), keeping
-- the newest `cap`. With an idempotency key (`key` ~= ''), kept in hash `kk` as key → n:
-- a key whose record is still kept returns {0, that member} and writes nothing. Otherwise the
-- game's patch (`sets` from patch_sets, or nil) and index entry follow; returns {1, member}.
local function record_turn(gk, hk, kk, idxk, id, key, json, cap, sets, now)
  if key ~= '' then
    local seen = redis.call('HGET', kk, key)
    if seen then
      local m = redis.call('ZRANGEBYSCORE', hk, seen, seen)
      if #m > 0 then return {0, m[1]} end
    end
  end
  local top = redis.call('ZRANGE', hk, -1, -1, 'WITHSCORES')
  local n = 1
  if #top > 0 then n = math.floor(tonumber(top[2])) + 1 end
  local member = fmt(n) .. '|' .. json
  redis.call('ZADD', hk, n, member)
  local dropped = redis.call('ZREMRANGEBYRANK', hk, 0, -(tonumber(cap) + 1))
  if key ~= '' then redis.call('HSET', kk, key, fmt(n)) end
  if dropped > 0 and redis.call('HLEN', kk) > 2 * tonumber(cap) then
    -- Forget the keys of dropped records (amortised: only once they outnumber the history twice).
    local low = tonumber(redis.call('ZRANGE', hk, 0, 0, 'WITHSCORES')[2])
    local all = redis.call('HGETALL', kk)
    for i = 1, #all, 2 do
      if tonumber(all[i + 1]) < low then redis.call('HDEL', kk, all[i]) end
    end
  end
  if sets ~= nil then
    redis.call('HSET', gk, unpack(sets))
    redis.call('ZADD', idxk, now, id)
  end
  return {1, member}
end

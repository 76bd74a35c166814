// Lua helpers shared by RedisStore's scripts (see redis-scripts.ts for the key layout).

/** Lua helpers; each script gets only those it calls (they are re-created on every call). */
const HELPERS: Record<string, string> = {
  now_ms: `
local function now_ms(a)
  if a ~= nil and a ~= '' then return tonumber(a) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`,
  fmt: `
local function fmt(x) return string.format('%.17g', x) end`,
  corrupt: `
local function corrupt(field) return redis.error_reply('GG CORRUPT ' .. field) end`,
  dec: `
local function dec(s)
  if s == false or s == nil or s == '' then return {} end
  local ok, v = pcall(cjson.decode, s)
  if not ok or type(v) ~= 'table' then return nil end
  return v
end`,
  enc: `
local function enc(t) if #t == 0 then return '[]' end return cjson.encode(t) end`,
  has: `
local function has(flags, c) return string.find(flags, c, 1, true) ~= nil end`,
  append_id: `
-- Appends a string to a JSON list of strings without decoding it.
local function append_id(arr, id)
  if arr == nil or arr == false or arr == '' or arr == '[]' then return '[' .. cjson.encode(id) .. ']' end
  return string.sub(arr, 1, -2) .. ',' .. cjson.encode(id) .. ']'
end`,
  split_player: `
-- "<joined>|<name>" → joined (string), name
local function split_player(v)
  local bar = string.find(v, '|', 1, true)
  if bar == nil then return nil, nil end
  return string.sub(v, 1, bar - 1), string.sub(v, bar + 1)
end`,
  patch_sets: `
-- Patch args: flags ('-' none, '!' invalid, else subset of n t e p), name, title, extra, players.
-- Returns the HSET args (without writing) or nil when stored players are corrupt.
local function patch_sets(gk, flags, a, now)
  local sets = {'up', fmt(now)}
  if has(flags, 'n') then sets[#sets+1] = 'name'; sets[#sets+1] = a[1] end
  if has(flags, 't') then sets[#sets+1] = 'title'; sets[#sets+1] = a[2] end
  if has(flags, 'e') then sets[#sets+1] = 'extra'; sets[#sets+1] = a[3] end
  if has(flags, 'p') then
    local po = redis.call('HGET', gk, 'po') or '[]'
    if dec(po) == nil then return nil end
    local known = {}
    for _, p in ipairs(cjson.decode(a[4])) do
      local joined = known[p[1]]
      if joined == nil then
        local cur = redis.call('HGET', gk, 'p:' .. p[1])
        if cur then
          joined = split_player(cur)
          if joined == nil then return nil end
        else
          joined = p[3]
          po = append_id(po, p[1])
        end
        known[p[1]] = joined
      end
      sets[#sets+1] = 'p:' .. p[1]; sets[#sets+1] = joined .. '|' .. p[2]
    end
    sets[#sets+1] = 'po'; sets[#sets+1] = po
  end
  return sets
end`,
  record_turn: `
-- Appends a turn record to the history \`hk\` (a ZSET scored by append number, members
-- "<n>|<json>"; records written before numbering are bare JSON scored by their turn), keeping
-- the newest \`cap\`. With an idempotency key (\`key\` ~= ''), kept in hash \`kk\` as key → n:
-- a key whose record is still kept returns {0, that member} and writes nothing. Otherwise the
-- game's patch (\`sets\` from patch_sets, or nil) and index entry follow; returns {1, member}.
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
end`,
  pending_pairs: `
-- Choices of the open window, in first-press order, as {user, choice} pairs; 'ids' = decoded co.
local function pending_pairs(gk, ids)
  local out = {}
  if #ids == 0 then return out, {} end
  local fields = {}
  for i, u in ipairs(ids) do fields[i] = 'c:' .. u end
  local vals = redis.call('HMGET', gk, unpack(fields))
  for i, u in ipairs(ids) do out[i] = {u, vals[i] or ''} end
  return out, fields
end`,
  close_window: `
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
end`,
};

/** The helpers a Lua body calls, directly or through other helpers, in definition order. */
export function helpersOf(body: string): string[] {
  const names = Object.keys(HELPERS);
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const n of names)
      if (!used.has(n) && new RegExp(`\\b${n}\\(`).test(text)) {
        used.add(n);
        visit(HELPERS[n] as string);
      }
  };
  visit(body);
  return names.filter((n) => used.has(n)).map((n) => HELPERS[n] as string);
}

--- @include "fmt"
--- @include "dec"
--- @include "has"
--- @include "append_id"
--- @include "split_player"
-- Patch args: flags ('-' none, '!' invalid, else subset of n t e p c), name, title, extra,
-- players, countdown seconds.
-- Returns the HSET args (without writing) or nil when stored players are corrupt.
local function patch_sets(gk, flags, a, now)
  local sets = {'up', fmt(now)}
  if has(flags, 'n') then sets[#sets+1] = 'name'; sets[#sets+1] = a[1] end
  if has(flags, 't') then sets[#sets+1] = 'title'; sets[#sets+1] = a[2] end
  if has(flags, 'e') then sets[#sets+1] = 'extra'; sets[#sets+1] = a[3] end
  if has(flags, 'c') then sets[#sets+1] = 'cd'; sets[#sets+1] = a[5] end
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
end

-- Choices of the open window, in first-press order, as {user, choice} pairs; 'ids' = decoded co.
local function pending_pairs(gk, ids)
  local out = {}
  if #ids == 0 then return out, {} end
  local fields = {}
  for i, u in ipairs(ids) do fields[i] = 'c:' .. u end
  local vals = redis.call('HMGET', gk, unpack(fields))
  for i, u in ipairs(ids) do out[i] = {u, vals[i] or ''} end
  return out, fields
end

-- "<joined>|<name>" → joined (string), name
local function split_player(v)
  local bar = string.find(v, '|', 1, true)
  if bar == nil then return nil, nil end
  return string.sub(v, 1, bar - 1), string.sub(v, bar + 1)
end

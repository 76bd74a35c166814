local function dec(s)
  if s == false or s == nil or s == '' then return {} end
  local ok, v = pcall(cjson.decode, s)
  if not ok or type(v) ~= 'table' then return nil end
  return v
end

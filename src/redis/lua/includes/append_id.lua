-- Appends a string to a JSON list of strings without decoding it.
local function append_id(arr, id)
  if arr == nil or arr == false or arr == '' or arr == '[]' then return '[' .. cjson.encode(id) .. ']' end
  return string.sub(arr, 1, -2) .. ',' .. cjson.encode(id) .. ']'
end

local function enc(t) if #t == 0 then return '[]' end return cjson.encode(t) end

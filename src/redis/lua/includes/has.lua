local function has(flags, c) return string.find(flags, c, 1, true) ~= nil end

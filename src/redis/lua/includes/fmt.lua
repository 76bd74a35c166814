local function fmt(x) return string.format('%.17g', x) end

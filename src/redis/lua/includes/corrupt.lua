local function corrupt(field) return redis.error_reply('GG CORRUPT ' .. field) end

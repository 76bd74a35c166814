/**
 * Lua scripts of RedisStore. Each script touches the keys of ONE hash-tag bucket (one Cluster
 * slot), validates everything it reads before it writes anything (a Lua error does not roll
 * back earlier writes), and reports rule violations as error replies `GG <CODE> [args]`, which
 * the store maps to the core's typed errors.
 *
 * Game hash fields: id ch bd(bound to ch: 1/0) act turn name title cd(countdown s) dl(deadline
 * ms or '') lw({"t":turn,"c":[[user, choice]…]} or '') extra(JSON, opaque here) cr up v;
 * pending choices as one field per player `c:<user>` plus `co` (JSON list of users in first-press
 * order); players as `p:<user>` = "<joinedTurn>|<name>" plus `po` (JSON list, join order) — so a
 * press touches O(1) fields instead of re-encoding lists; private fields: `f:<channel>` (binding
 * fence per channel), ftok (lease token counter), rs (last committed resolution).
 * Numbers are written with %.17g (exact for doubles); turns inside JSON are strings, so cjson's
 * 14-digit number encoding never rounds them.
 */

import { helpersOf } from './lua.js';
import { RESOLUTION_SCRIPTS } from './resolution-scripts.js';

const SCRIPTS = {
  /** KEYS: game → the game hash as a flat list. */
  load: `return redis.call('HGETALL', KEYS[1])`,

  /** KEYS: once. ARGV: ttlMs → 1 for the first caller while the key lives, else 0. */
  once: `if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0`,

  /** KEYS: chan → the bound game id or false. */
  loadChannel: `return redis.call('HGET', KEYS[1], 'g')`,

  /** KEYS: game idx open. ARGV: channel user name choice turn('' any) now('' = TIME). */
  press: `
local uid, uname = ARGV[2], ARGV[3]
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act', 'turn', 'dl', 'cd', 'co', 'p:' .. uid, 'c:' .. uid)
if not g[1] or g[2] ~= ARGV[1] or g[3] ~= '1' then return redis.error_reply('GG NOTRUNNING') end
if g[4] ~= '1' then return redis.error_reply('GG INACTIVE') end
local turn = tonumber(g[5])
if turn == nil then return corrupt('turn_number') end
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= turn then
  return redis.error_reply('GG STALE ' .. ARGV[5] .. ' ' .. g[5])
end
local now = now_ms(ARGV[6])
local dl = nil
if g[6] and g[6] ~= '' then
  dl = tonumber(g[6])
  if dl == nil then return corrupt('window_deadline_ms') end
  if now >= dl then return redis.error_reply('GG CLOSED ' .. g[5]) end
end
local co = g[8]
if not co or co == '' then co = '[]' end
-- The order list is decoded only when the pending list goes back; otherwise it is only
-- appended to, as text, and checked for shape (a close decodes and validates it).
local ids = nil
if ARGV[7] == '1' then
  ids = dec(co)
  if ids == nil then return corrupt('pending_choices') end
elseif string.sub(co, 1, 1) ~= '[' or string.sub(co, -1) ~= ']' then
  return corrupt('pending_choices')
end
local first = 0
if dl == nil then
  local cd = tonumber(g[7])
  if cd == nil then return corrupt('countdown_seconds') end
  dl = now + cd * 1000
  first = 1
end
local dls, nows = fmt(dl), fmt(now)
local sets = {'c:' .. uid, ARGV[4]}
-- updated_at (and the saved-games index) move when a window opens, not on every press in it.
if first == 1 then
  sets[3] = 'dl'; sets[4] = dls; sets[5] = 'up'; sets[6] = nows
end
local joined
if g[9] then
  local name
  joined, name = split_player(g[9])
  if joined == nil then return corrupt('players') end
  if name ~= uname then sets[#sets+1] = 'p:' .. uid; sets[#sets+1] = joined .. '|' .. uname end
else
  local po = redis.call('HGET', KEYS[1], 'po') or '[]'
  joined = g[5]
  sets[#sets+1] = 'p:' .. uid; sets[#sets+1] = joined .. '|' .. uname
  sets[#sets+1] = 'po'; sets[#sets+1] = append_id(po, uid)
end
if not g[10] then
  if ids ~= nil then ids[#ids+1] = uid end
  co = append_id(co, uid)
  sets[#sets+1] = 'co'; sets[#sets+1] = co
end
redis.call('HSET', KEYS[1], unpack(sets))
if first == 1 then
  redis.call('ZADD', KEYS[2], nows, g[1])
  redis.call('ZADD', KEYS[3], dls, g[1])
end
local out = {first, dls, nows, g[5], joined, co}
if ARGV[7] ~= '1' then return out end
local fields = {}
for i, u in ipairs(ids) do fields[i] = 'c:' .. u end
for _, v in ipairs(redis.call('HMGET', KEYS[1], unpack(fields))) do out[#out+1] = v or '' end
return out`,

  /** KEYS: game idx open ur unres. ARGV: channel turn now early(1/0). */
  close: `
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'act', 'turn', 'dl', 'co', 'lw')
if not g[1] then return redis.error_reply('GG NOGAMECLOSE') end
if g[2] ~= ARGV[1] then return redis.error_reply('GG MOVED') end
local want = tonumber(ARGV[2])
if g[7] and g[7] ~= '' then
  local lw = dec(g[7])
  if lw == nil then return corrupt('last_window') end
  if tonumber(lw.t) == want then return {'closed', g[7]} end
end
if g[3] ~= '1' then return redis.error_reply('GG INACTIVE') end
local turn = tonumber(g[4])
if turn == nil then return corrupt('turn_number') end
if turn ~= want then return redis.error_reply('GG STALE ' .. ARGV[2] .. ' ' .. g[4]) end
if not g[5] or g[5] == '' then return redis.error_reply('GG NOTSTARTED ' .. ARGV[2]) end
local dl = tonumber(g[5])
if dl == nil then return corrupt('window_deadline_ms') end
local now = now_ms(ARGV[3])
if ARGV[4] ~= '1' and now < dl then return {'open', fmt(dl - now)} end
local ids = dec(g[6])
if ids == nil then return corrupt('pending_choices') end
local pj = close_window(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], g[1], turn, ids, now)
return {'closed', '{"t":"' .. fmt(turn) .. '","c":' .. pj .. '}'}`,

  /** Admin step 1 (channel slot). KEYS: chan claimants. ARGV: game ('' = unbind).
   *  Returns {fence, previous game or '', claimants…}. */
  claimChannel: `
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local prev = redis.call('HGET', KEYS[1], 'g')
local out = {tostring(f), prev or ''}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do out[#out+1] = m end
if ARGV[1] ~= '' then
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[1], 'g', ARGV[1])
else
  redis.call('HDEL', KEYS[1], 'g')
end
return out`,

  /** Channel slot: forget games (pointer if it names one of them, and claimant entries).
   *  KEYS: chan claimants. ARGV: game ids. */
  forget: `
local cur = redis.call('HGET', KEYS[1], 'g')
for _, id in ipairs(ARGV) do
  if cur == id then redis.call('HDEL', KEYS[1], 'g') end
  redis.call('SREM', KEYS[2], id)
end
return 1`,

  /** Admin step 2: exits a game from a channel unless a newer fence touched it.
   *  KEYS: game idx open. ARGV: channel fence now. */
  release: `
local fk = 'f:' .. ARGV[1]
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act', fk)
if not g[1] then return 0 end
if g[5] and tonumber(g[5]) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], fk, ARGV[2])
if g[2] ~= ARGV[1] or g[3] ~= '1' then return 0 end
if g[4] == '1' then
  redis.call('HSET', KEYS[1], 'act', '0', 'dl', '', 'up', ARGV[3])
  redis.call('ZREM', KEYS[3], g[1])
  redis.call('ZADD', KEYS[2], ARGV[3], g[1])
end
redis.call('HSET', KEYS[1], 'bd', '0')
return 1`,

  /** Admin step 3: binds a game to a channel (boot: writes the given fields; swap: activates).
   *  KEYS: game idx open. ARGV: mode channel fence now [field value…].
   *  Returns {previous channel, previous bound flag, hash…}. */
  bind: `
local fk = 'f:' .. ARGV[2]
local prev = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', fk)
if prev[4] and tonumber(prev[4]) > tonumber(ARGV[3]) then return redis.error_reply('GG FENCED') end
if ARGV[1] == 'swap' then
  if not prev[1] then return redis.error_reply('GG NOGAME') end
  redis.call('HSET', KEYS[1], 'ch', ARGV[2], 'act', '1', 'dl', '', 'up', ARGV[4])
else
  local old = {}
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    local p = string.sub(f, 1, 2)
    if p == 'c:' or p == 'p:' then old[#old+1] = f end
  end
  if #old > 0 then redis.call('HDEL', KEYS[1], unpack(old)) end
  redis.call('HSET', KEYS[1], unpack(ARGV, 5))
end
redis.call('HSET', KEYS[1], 'bd', '1', fk, ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'id', 'up', 'dl')
redis.call('ZADD', KEYS[2], f[2], f[1])
if f[3] and f[3] ~= '' then redis.call('ZADD', KEYS[3], f[3], f[1])
else redis.call('ZREM', KEYS[3], f[1]) end
local out = {prev[2] or '', prev[3] or '0'}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out+1] = v end
return out`,

  /** KEYS: game idx open. ARGV: channel now flags name title extra players. */
  exit: `
local g = redis.call('HMGET', KEYS[1], 'id', 'ch', 'bd', 'act')
if not g[1] or g[2] ~= ARGV[1] or g[3] ~= '1' then return redis.error_reply('GG NOTRUNNING') end
if ARGV[3] == '!' then return redis.error_reply('GG INVALID') end
if g[4] ~= '1' then return redis.error_reply('GG INACTIVE') end
local sets = patch_sets(KEYS[1], ARGV[3], {ARGV[4], ARGV[5], ARGV[6], ARGV[7]}, tonumber(ARGV[2]))
if sets == nil then return corrupt('players') end
redis.call('HSET', KEYS[1], unpack(sets))
redis.call('HSET', KEYS[1], 'act', '0', 'dl', '', 'bd', '0')
redis.call('ZREM', KEYS[3], g[1])
redis.call('ZADD', KEYS[2], ARGV[2], g[1])
return redis.call('HGETALL', KEYS[1])`,

  /** KEYS: game idx. ARGV: now flags name title extra players. */
  patch: `
local g = redis.call('HMGET', KEYS[1], 'id')
if not g[1] then return redis.error_reply('GG NOGAME') end
if ARGV[2] == '!' then return redis.error_reply('GG INVALID') end
local sets = patch_sets(KEYS[1], ARGV[2], {ARGV[3], ARGV[4], ARGV[5], ARGV[6]}, tonumber(ARGV[1]))
if sets == nil then return corrupt('players') end
redis.call('HSET', KEYS[1], unpack(sets))
redis.call('ZADD', KEYS[2], ARGV[1], g[1])
return 1`,

  /** KEYS: game hist hkeys idx. ARGV: key('' none) json cap patchNow flags name title extra
   *  players → {stored 1|0, member}. */
  append: `
local g = redis.call('HMGET', KEYS[1], 'id')
if not g[1] then return redis.error_reply('GG NOGAME') end
if ARGV[5] == '!' then return redis.error_reply('GG INVALID') end
local sets = nil
if ARGV[5] ~= '-' then
  sets = patch_sets(KEYS[1], ARGV[5], {ARGV[6], ARGV[7], ARGV[8], ARGV[9]}, tonumber(ARGV[4]))
  if sets == nil then return corrupt('players') end
end
return record_turn(KEYS[1], KEYS[2], KEYS[3], KEYS[4], g[1], ARGV[1], ARGV[2], ARGV[3], sets, ARGV[4])`,

  /** KEYS: hist. ARGV: count → the last `count` records, oldest first. */
  recent: `return redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[1]), -1)`,

  /** KEYS: game hist ur lease idx open unres hkeys. ARGV: id → {channel, bound}. */
  delete: `
local g = redis.call('HMGET', KEYS[1], 'ch', 'bd')
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[8])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
return {g[1] or '', g[2] or '0'}`,

  /** One bucket's slice of the index. KEYS: idx. ARGV: keyPrefix limit cursorScore('' = none).
   *  With a cursor: every game tied at the cursor's score, then `limit` below it.
   *  Returns flat rows: id name channel turn active created updated. */
  list: `
local ids
local lim = tonumber(ARGV[2])
if ARGV[3] == '' then
  ids = redis.call('ZREVRANGE', KEYS[1], 0, lim - 1)
else
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[3])
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '-inf', 'LIMIT', 0, lim)) do
    ids[#ids+1] = id
  end
end
local out = {}
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', ARGV[1] .. 'g:' .. id, 'name', 'ch', 'turn', 'act', 'cr', 'up')
  if f[6] then
    out[#out+1] = id
    for i = 1, 6 do out[#out+1] = f[i] or '' end
  end
end
return out`,
  ...RESOLUTION_SCRIPTS,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

export interface LoadedScript {
  source: string;
  sha: string;
}

/** Every script with its helpers prepended, and its SHA1 (what EVALSHA names it by). */
export async function loadScripts(): Promise<Record<ScriptName, LoadedScript>> {
  const { createHash } = await import('node:crypto');
  const out = {} as Record<ScriptName, LoadedScript>;
  for (const [name, body] of Object.entries(SCRIPTS) as Array<[ScriptName, string]>) {
    const source = `${helpersOf(body).join('\n')}\n${body}`;
    out[name] = { source, sha: createHash('sha1').update(source).digest('hex') };
  }
  return out;
}

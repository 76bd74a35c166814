// Build step: the Redis Lua scripts are read at run time from beside the compiled code, so the
// build copies src/redis/lua (scripts and their includes) to dist/redis/lua.
import { cpSync } from 'node:fs';

cpSync('src/redis/lua', 'dist/redis/lua', { recursive: true });

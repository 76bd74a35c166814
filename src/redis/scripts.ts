/**
 * Lua scripts of RedisStore, one file per script in ./lua (a header naming KEYS and ARGV; the
 * helpers it calls as `--- @include` lines, from ./lua/includes). Each script touches the keys
 * of ONE hash-tag bucket (one Cluster slot), validates everything it reads before it writes anything (a Lua error does not roll
 * back earlier writes), and reports rule violations as error replies `GG <CODE> [args]`, which
 * the store maps to the core's typed errors.
 *
 * Game hash fields: id ch bd(bound to ch: 1/0) act turn name title cd(countdown s) dl(deadline
 * ms or '') lw({"t":turn,"c":[[user, choice]…]} or '') extra(JSON, opaque here) cr up v;
 * pending choices as one field per player `c:<user>` plus `co` (JSON list of users in first-press
 * order); players as `p:<user>` = "<joinedTurn>|<name>" plus `po` (JSON list, join order) — so a
 * press touches O(1) fields instead of re-encoding lists; private fields: `f:<channel>` (binding
 * fence per channel), ftok (lease token counter), rs (last committed resolution). A game whose
 * hash cannot be read is moved as it is to `x:<id>` (its history to `xh:<id>`) by setAside.
 * Numbers are written with %.17g (exact for doubles); turns inside JSON are strings, so cjson's
 * 14-digit number encoding never rounds them.
 */

import { linkScript } from './lua.js';

/** Every script RedisStore and the scheduler run; each is `lua/<name>.lua`. */
const SCRIPT_NAMES = [
  'load',
  'once',
  'loadChannel',
  'press',
  'close',
  'claimChannel',
  'forget',
  'release',
  'bind',
  'exit',
  'patch',
  'append',
  'recent',
  'delete',
  'setAside',
  'list',
  'closeDue',
  'windows',
  'due',
  'claim',
  'extend',
  'unlease',
  'commit',
  'chget',
  'chset',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LoadedScript {
  source: string;
  sha: string;
}

/** Every script linked with its helpers, and its SHA1 (what EVALSHA names it by). */
export async function loadScripts(): Promise<Record<ScriptName, LoadedScript>> {
  const { createHash } = await import('node:crypto');
  const out = {} as Record<ScriptName, LoadedScript>;
  for (const name of SCRIPT_NAMES) {
    const source = await linkScript(name);
    out[name] = { source, sha: createHash('sha1').update(source).digest('hex') };
  }
  return out;
}

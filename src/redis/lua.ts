import { readFile } from 'node:fs/promises';

// The Lua linker: a script names the helpers it calls with `--- @include "name"` lines (BullMQ's
// layout), each helper lives in lua/includes/<name>.lua and may include others. A script's source
// is its helpers, each once and before whatever calls it, followed by its own body.

const INCLUDE = /^--- @include "([a-z_]+)"\s*$/;

/** The directory the .lua files are read from (copied next to the compiled code by the build). */
const LUA_DIR = new URL('./lua/', import.meta.url);

/** Splits a .lua file into the helpers it includes and the rest. */
function parse(text: string): { includes: string[]; body: string } {
  const includes: string[] = [];
  const body: string[] = [];
  for (const line of text.split('\n')) {
    const m = INCLUDE.exec(line);
    if (m !== null) includes.push(m[1] as string);
    else body.push(line);
  }
  return { includes, body: body.join('\n').trimEnd() };
}

/** A script's full source: its helpers (transitively, dependencies first), then its body. */
export async function linkScript(name: string, dir: URL = LUA_DIR): Promise<string> {
  const cache = new Map<string, { includes: string[]; body: string }>();
  const read = async (file: URL) => parse(await readFile(file, 'utf8'));
  const ordered: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = async (helper: string): Promise<void> => {
    if (done.has(helper)) return;
    if (visiting.has(helper)) throw new Error(`Lua include cycle through "${helper}"`);
    visiting.add(helper);
    let h = cache.get(helper);
    if (h === undefined) {
      h = await read(new URL(`includes/${helper}.lua`, dir));
      cache.set(helper, h);
    }
    for (const dep of h.includes) await visit(dep);
    visiting.delete(helper);
    done.add(helper);
    ordered.push(h.body);
  };
  const script = await read(new URL(`${name}.lua`, dir));
  for (const helper of script.includes) await visit(helper);
  return [...ordered, script.body].join('\n');
}

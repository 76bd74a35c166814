import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Compiler } from 'inkjs/compiler/Compiler';
import { Compiler as UntypedCompiler } from 'inkjs/full';
import { NarratorError } from './port.js';

/**
 * The built-in cartridges folder. This module lives in src/narrator/ (tsx) or dist/narrator/
 * (compiled), so the repository's cartridges/ folder is two levels up in both cases.
 */
export const DEFAULT_CARTRIDGES_DIR = fileURLToPath(new URL('../../cartridges/', import.meta.url));

// inkjs' ESM type entry uses extensionless relative imports that NodeNext cannot follow, so the
// value import is untyped; the compiler's own declaration file supplies the type.
const CompilerClass: new (source: string) => Compiler = UntypedCompiler;

/** A cartridge id is its file stem: letters, digits, '-' and '_' (never a path). */
const CARTRIDGE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface CartridgeInfo {
  /** The file stem, e.g. `low-battery` for cartridges/low-battery.ink. */
  id: string;
  /** From the `# title: ...` global tag; the id when the tag is missing. */
  title: string;
  /** From the `# description: ...` global tag; empty when missing. */
  description: string;
}

export interface CompiledCartridge extends CartridgeInfo {
  /** Absolute path of the .ink source. */
  file: string;
  /** The compiled story in inkjs' runtime JSON format (`new Story(json)`). */
  json: string;
  /** Every global tag as `key → value` (`# key: value`); tags without a colon map to ''. */
  tags: ReadonlyMap<string, string>;
  /** Compiler warnings (loose ends and the like); the built-in cartridges have none. */
  warnings: readonly string[];
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  cartridge: CompiledCartridge;
}

// Keyed by absolute file path. The file's mtime and size are rechecked on every load, so an edited
// cartridge is recompiled without a restart while an unchanged one costs one stat() call.
const cache = new Map<string, CacheEntry>();

export function isCartridgeId(id: unknown): id is string {
  return typeof id === 'string' && CARTRIDGE_ID.test(id);
}

/** Global tags as `key → value` (`# key: value`; keys lower-cased, the first of a key wins). */
export function parseGlobalTags(tags: readonly string[] | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const tag of tags ?? []) {
    const colon = tag.indexOf(':');
    const key = (colon < 0 ? tag : tag.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? '' : tag.slice(colon + 1).trim();
    if (key !== '' && !out.has(key)) out.set(key, value);
  }
  return out;
}

function compile(id: string, file: string, source: string): CompiledCartridge {
  const compiler = new CompilerClass(source);
  let json: string | undefined;
  let globalTags: string[] | null = null;
  try {
    const story = compiler.Compile();
    const out = story.ToJson();
    if (typeof out === 'string') json = out;
    globalTags = story.globalTags;
  } catch (cause) {
    const details = compiler.errors.length > 0 ? compiler.errors.join('; ') : String(cause);
    throw new NarratorError('story', `cartridge "${id}" (${file}) does not compile: ${details}`, {
      cause,
    });
  }
  if (compiler.errors.length > 0 || json === undefined) {
    const details = compiler.errors.join('; ') || 'the compiler produced no story';
    throw new NarratorError('story', `cartridge "${id}" (${file}) does not compile: ${details}`);
  }
  const tags = parseGlobalTags(globalTags);
  return {
    id,
    file,
    json,
    tags,
    title: tags.get('title') || id,
    description: tags.get('description') ?? '',
    warnings: [...compiler.warnings],
  };
}

/**
 * Loads (compiling on first use, then from memory) the cartridge `<dir>/<id>.ink`.
 * Throws NarratorError('story') for an invalid or unknown id and for a compile error.
 */
export function loadCartridge(id: string, dir: string = DEFAULT_CARTRIDGES_DIR): CompiledCartridge {
  // Players see these messages: they name the id, never a path on the server (the cause does).
  if (!isCartridgeId(id)) {
    throw new NarratorError(
      'story',
      `No cartridge is called ${JSON.stringify(String(id)).slice(0, 80)}.`,
    );
  }
  const file = join(resolve(dir), `${id}.ink`);
  let stat: { mtimeMs: number; size: number; isFile(): boolean };
  try {
    stat = statSync(file);
  } catch (cause) {
    throw new NarratorError('story', `No cartridge is called "${id}".`, { cause });
  }
  if (!stat.isFile())
    throw new NarratorError('story', `No cartridge is called "${id}".`, {
      cause: new Error(`${file} is not a file`),
    });
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size)
    return cached.cartridge;
  const cartridge = compile(id, file, readFileSync(file, 'utf8'));
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, cartridge });
  return cartridge;
}

/** The ids of every `*.ink` file in `dir` (sorted), skipping names that are not valid ids. */
function listCartridgeIds(dir: string = DEFAULT_CARTRIDGES_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(resolve(dir));
  } catch (cause) {
    throw new NarratorError('story', `cannot read the cartridges folder ${resolve(dir)}`, {
      cause,
    });
  }
  return names
    .filter((name) => extname(name) === '.ink')
    .map((name) => name.slice(0, -'.ink'.length))
    .filter(isCartridgeId)
    .sort();
}

/** The catalog: id, title and description of every cartridge in `dir`, compiling each once. */
export function listCartridges(dir: string = DEFAULT_CARTRIDGES_DIR): CartridgeInfo[] {
  return listCartridgeIds(dir).map((id) => {
    const { title, description } = loadCartridge(id, dir);
    return { id, title, description };
  });
}

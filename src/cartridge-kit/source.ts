// Compiling a cartridge for `gamegirl cartridge test`: diagnostics with file:line, and an index of
// the knots and stitches (with their lines) so the test can say which were never visited.
import { readFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { Compiler } from 'inkjs/compiler/Compiler';
import type { CompilerOptions } from 'inkjs/compiler/CompilerOptions';
import { Compiler as UntypedCompiler, CompilerOptions as UntypedOptions } from 'inkjs/full';
import {
  type CompiledCartridge,
  DEFAULT_CARTRIDGES_DIR,
  loadCartridge,
  parseGlobalTags,
} from '../narrator/cartridges.js';
import { KitError } from './errors.js';

// inkjs' ESM type entry uses extensionless relative imports that NodeNext cannot follow (see
// src/narrator/cartridges.ts); the compiler's own declaration files supply the types.
const CompilerClass: new (source: string, options: CompilerOptions) => Compiler = UntypedCompiler;
const OptionsClass: new (
  sourceFilename: string | null,
  pluginNames: string[],
  countAllVisits: boolean,
) => CompilerOptions = UntypedOptions;

export interface Diagnostic {
  severity: 'error' | 'warning' | 'todo';
  file: string;
  /** 1-based; null when the compiler gave none. */
  line: number | null;
  message: string;
}

/** A knot or stitch of the source (functions are not places the story visits). */
export interface Flow {
  /** `knot` or `knot.stitch`, as ink paths name them. */
  path: string;
  kind: 'knot' | 'stitch';
  line: number;
}

export interface TestSource {
  id: string;
  file: string;
  diagnostics: Diagnostic[];
  /** Null when the source does not compile. */
  cartridge: CompiledCartridge | null;
  flows: Flow[];
}

const DIAGNOSTIC = /^(ERROR|WARNING|TODO): (?:line (\d+): )?([\s\S]*)$/;

function diagnostic(file: string, text: string, fallback: Diagnostic['severity']): Diagnostic {
  const m = DIAGNOSTIC.exec(text);
  if (m === null) return { severity: fallback, file, line: null, message: text };
  const kind = m[1] === 'ERROR' ? 'error' : m[1] === 'WARNING' ? 'warning' : 'todo';
  return {
    severity: kind,
    file,
    line: m[2] === undefined ? null : Number(m[2]),
    message: m[3] ?? '',
  };
}

/** Knots (`== name`, `=== name ===`) and stitches (`= name`) with their lines; skips functions
 *  and comments. */
function indexFlows(source: string): Flow[] {
  const flows: Flow[] = [];
  let knot: string | null = null;
  let inComment = false;
  source.split(/\r?\n/).forEach((raw, i) => {
    let line = raw;
    if (inComment) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      line = line.slice(end + 2);
      inComment = false;
    }
    const open = line.indexOf('/*');
    if (open >= 0 && line.indexOf('*/', open) < 0) {
      inComment = true;
      line = line.slice(0, open);
    }
    const knotMatch = /^\s*={2,}\s*(function\s+)?([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
    if (knotMatch) {
      knot = knotMatch[1] === undefined ? (knotMatch[2] ?? null) : null;
      if (knot !== null) flows.push({ path: knot, kind: 'knot', line: i + 1 });
      return;
    }
    const stitchMatch = /^\s*=(?!=)\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
    if (stitchMatch && knot !== null)
      flows.push({ path: `${knot}.${stitchMatch[1]}`, kind: 'stitch', line: i + 1 });
  });
  return flows;
}

/**
 * Resolves `target`, a path to an .ink file or a cartridge id in `dir`, and compiles it with
 * every visit counted (the story plays the same; the test reads where it went).
 */
export function compileForTest(target: string, dir: string | undefined): TestSource {
  let file: string;
  if (target.endsWith('.ink') || target.includes('/') || target.includes('\\')) {
    file = resolve(target);
  } else {
    file = loadCartridgeFile(target, dir);
  }
  const id = basename(file, extname(file));
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new KitError('NOT_FOUND', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const compiler = new CompilerClass(source, new OptionsClass(null, [], true));
  let json: string | null = null;
  let globalTags: string[] | null = null;
  const diagnostics: Diagnostic[] = [];
  try {
    const story = compiler.Compile();
    const out = story.ToJson();
    json = typeof out === 'string' ? out : null;
    globalTags = story.globalTags;
  } catch (cause) {
    if (compiler.errors.length === 0)
      diagnostics.push({ severity: 'error', file, line: null, message: String(cause) });
  }
  for (const e of compiler.errors) diagnostics.push(diagnostic(file, e, 'error'));
  for (const w of compiler.warnings) diagnostics.push(diagnostic(file, w, 'warning'));
  for (const t of compiler.authorMessages) diagnostics.push(diagnostic(file, t, 'todo'));
  const flows = indexFlows(source);
  if (json === null || compiler.errors.length > 0)
    return { id, file, diagnostics, cartridge: null, flows };
  const tags = parseGlobalTags(globalTags);
  const cartridge: CompiledCartridge = {
    id,
    file,
    json,
    tags,
    title: tags.get('title') || id,
    description: tags.get('description') ?? '',
    warnings: [...compiler.warnings],
  };
  return { id, file, diagnostics, cartridge, flows };
}

/** The .ink file of the cartridge `id` in `dir` (KitError NOT_FOUND when there is none). */
function loadCartridgeFile(id: string, dir: string | undefined): string {
  try {
    return loadCartridge(id, dir).file;
  } catch (cause) {
    // A cartridge that does not compile still has a file to report on.
    const file = resolve(dir ?? DEFAULT_CARTRIDGES_DIR, `${id}.ink`);
    if (/does not compile/.test((cause as Error).message)) return file;
    throw new KitError('NOT_FOUND', (cause as Error).message, { cause });
  }
}

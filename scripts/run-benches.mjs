// Runs every bench/*.bench.ts in sequence, each in its own process (TypeScript via tsx, with
// --expose-gc so memory figures are taken after a collection). Each bench prints one JSON line
// with its figures and its baseline (or {"bench":..., "skipped": reason} when a prerequisite is
// missing); this script passes those lines through on stdout, bench diagnostics on stderr.
// Usage: node scripts/run-benches.mjs [substring filter ...] [--strict]
//   --strict: exit non-zero when a bench reports "met": false.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const filters = args.filter((a) => a !== '--strict');
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
  .map((f) => join('bench', f));
if (files.length === 0) {
  console.error('no bench files matched');
  process.exit(1);
}

let failed = 0;
let unmet = 0;
for (const file of files) {
  // A bench may name the Node flags it is meant to run under: `// node-flags: --flag …`.
  const flags =
    /^\/\/ node-flags: (.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.split(/\s+/) ?? [];
  const r = spawnSync(process.execPath, ['--expose-gc', ...flags, '--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  let result = null;
  try {
    result = last === undefined ? null : JSON.parse(last);
  } catch {
    result = null;
  }
  if (r.status !== 0 || result === null) {
    failed++;
    console.log(
      JSON.stringify({ bench: file, error: `exit ${r.status ?? r.signal}`, output: lines }),
    );
    continue;
  }
  if (result.met === false) unmet++;
  console.log(JSON.stringify(result));
}
if (failed > 0) process.exit(1);
if (strict && unmet > 0) process.exit(2);

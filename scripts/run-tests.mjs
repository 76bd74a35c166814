// Runs every test file under test/ with Node's own test runner (TypeScript via tsx).
// Node 20's `--test` does not expand globs, so the file list is collected here.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The whole run must finish well within CI's budget; a hung test fails it instead of stalling. */
const SUITE_TIMEOUT_MS = Number(process.env.GAMEGIRL_TEST_TIMEOUT_MS ?? 15 * 60_000);
/** One test (not file) that runs longer than this fails. */
const TEST_TIMEOUT_MS = 180_000;

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('test').filter(
  (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    ...files,
  ],
  { stdio: 'inherit', detached: true },
);
const watchdog = setTimeout(() => {
  console.error(`\ntest suite exceeded ${SUITE_TIMEOUT_MS / 1000} s: stopping it`);
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}, SUITE_TIMEOUT_MS);
const forward = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  process.exit(code ?? (signal ? 1 : 0));
});

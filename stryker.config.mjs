// Mutation testing (`npm run mutate`): StrykerJS makes small deliberate bugs (mutants) in the
// files below and runs the fast tests against each one; a mutant no test notices "survives".
// Slow (seconds per mutant), so it is not part of CI. Notes: docs/mutation-testing.md.
//
// To cover more code, add globs to MUTATE and the tests that check that code to TEST_FILES.
// While iterating, narrow the run: `npm run mutate -- --mutate src/core/limits.ts`.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Source files to mutate. */
const MUTATE = [
  'src/core/session-state.ts',
  'src/core/countdown-window.ts',
  'src/core/limits.ts',
  'src/store/snapshot-store.ts',
];

/** Test files run against every mutant: fast, no Redis, no browser (all in one process). */
const TEST_FILES = [
  'test/core/game-session.test.ts',
  'test/core/limits-edges.test.ts',
  'test/core/limits.test.ts',
  'test/core/model.property.test.ts',
  'test/core/registry.test.ts',
  'test/core/rules-edges.test.ts',
  'test/core/serialization.test.ts',
  'test/core/window-edges.test.ts',
  'test/store/memory-sqlite.test.ts',
  'test/store/snapshot-store-edges.test.ts',
];

/**
 * The command runner reports one test ("All tests") with no file, so Stryker's incremental mode
 * cannot see a test change and would keep old survivors. The results file is therefore keyed
 * by a hash of everything under test/: reruns are cheap while the tests stay the same (only
 * changed source is mutated again), and a changed test starts a full run.
 */
const REPORTS = 'reports/mutation';
function testTreeHash(dir = 'test', hash = createHash('sha256')) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) testTreeHash(path, hash);
    else hash.update(path).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash;
}
const incrementalFile = `${REPORTS}/incremental-${testTreeHash().digest('hex').slice(0, 16)}.json`;
// Results for other versions of the tests can never be reused: drop them.
for (const name of (() => {
  try {
    return readdirSync(REPORTS);
  } catch {
    return [];
  }
})()) {
  const path = `${REPORTS}/${name}`;
  if (/^incremental-[0-9a-f]{16}\.json$/.test(name) && path !== incrementalFile) rmSync(path);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: MUTATE,
  // node's test runner has no Stryker plugin: one node process imports every test file (about
  // half the time of `node --test`, which starts a process per file) and exits non-zero on a failure.
  testRunner: 'command',
  commandRunner: {
    command: `node --import tsx scripts/run-imported-tests.mjs ${TEST_FILES.join(' ')}`,
  },
  // TypeScript 7 has no JavaScript API, which Stryker's tsconfig rewriting step needs: a
  // tsconfigFile that does not exist skips that step (there is no type checker plugin either).
  tsconfigFile: 'stryker-skips-tsconfig.json',
  // The machine is shared: at most two mutants at a time.
  concurrency: 2,
  // A run ends as soon as its tests do (scripts/run-imported-tests.mjs), so only a real hang
  // (an endless loop) waits for the timeout; a generous one keeps a run slowed by a busy
  // machine from passing for a hang (a timeout counts as a detected mutant).
  timeoutFactor: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${REPORTS}/mutation.html` },
  jsonReporter: { fileName: `${REPORTS}/mutation.json` },
  ignorePatterns: ['dist', 'data', 'test-artifacts', 'reports', 'bench'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

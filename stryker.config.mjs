// Mutation testing (`npm run mutate`): StrykerJS makes small deliberate bugs (mutants) in the
// files below and runs the fast tests against each one; a mutant no test notices "survives".
// Slow (seconds per mutant), so it is not part of CI. Notes: docs/mutation-testing.md.
//
// To cover more code, add globs to MUTATE and the tests that check that code to TEST_FILES.
// While iterating, narrow the run: `npm run mutate -- --mutate src/core/limits.ts`, and the
// tests with MUTATE_TESTS (below).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
  'test/core/record-turn.test.ts',
  'test/core/registry.test.ts',
  'test/core/rules-edges.test.ts',
  'test/core/serialization.test.ts',
  'test/core/window-edges.test.ts',
  'test/store/memory-sqlite.test.ts',
  'test/store/snapshot-store-edges.test.ts',
  'test/store/stored-state.test.ts',
];
// MUTATE_TESTS=limits,game-session runs only the test files whose path contains one of those
// words: faster while iterating, and a lower bound of the score with every test file.
const only = process.env.MUTATE_TESTS?.split(',').filter(Boolean) ?? [];
const testFiles =
  only.length === 0 ? TEST_FILES : TEST_FILES.filter((f) => only.some((w) => f.includes(w)));

/**
 * The command runner reports one test ("All tests") with no file, so Stryker's incremental mode
 * cannot see a test change and would keep old survivors. The results file is therefore keyed
 * by a hash of everything under test/ and of the list of test files run: reruns are cheap while
 * the tests stay the same (only changed source is mutated again); a changed test starts afresh.
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
// The key also covers which test files run (MUTATE_TESTS), so a narrowed run's survivors are
// never reused by a run with every test file.
const key = testTreeHash().update(testFiles.join('\n')).digest('hex').slice(0, 16);
const incrementalFile = `${REPORTS}/incremental-${key}.json`;

/** Stryker's options (https://stryker-mutator.io/docs/stryker-js/configuration). */
export default {
  mutate: MUTATE,
  // node's test runner has no Stryker plugin: one node process imports every test file (about
  // half the time of `node --test`, which starts a process per file) and exits non-zero on a failure.
  testRunner: 'command',
  commandRunner: {
    command: `node --import tsx scripts/run-imported-tests.mjs ${testFiles.join(' ')}`,
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

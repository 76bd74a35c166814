// Mutation testing (`npm run mutate`): StrykerJS makes small deliberate bugs (mutants) in the
// files below and runs the fast tests against each one; a mutant no test notices "survives".
// Slow (seconds per mutant), so it is not part of CI. Notes: docs/mutation-testing.md.
//
// To cover more code, add globs to MUTATE and the tests that check that code to TEST_FILES.
// While iterating, narrow the run: `npm run mutate -- --mutate src/core/limits.ts`, and the
// tests with MUTATE_TESTS (below).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Source files to mutate. */
const MUTATE = [
  'src/core/session-state.ts',
  'src/core/countdown-window.ts',
  'src/core/limits.ts',
  'src/store/snapshot-store.ts',
  // The host's turn loop: the loop itself, the single-process driver it runs under, the wait for
  // a 'host decides' pick, the narration step and the checks of the narrator's scene.
  'src/host/channel-runner.ts',
  'src/host/turn-resolution.ts',
  'src/host/local-driver.ts',
  'src/host/decision-waiters.ts',
  'src/host/narration.ts',
  'src/host/input-checks.ts',
  // The host's per-player rate limits (presses, boots, LLM boots) and the window they count in.
  'src/host/host-rate-limits.ts',
  'src/host/rate-limit.ts',
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
  // The host suites run through GameHost on MemoryStore/SqliteStore; the contract suites on the
  // local driver alone (HOST_DRIVERS=local in the command below: no redis-server).
  'test/host/aggregation.test.ts',
  'test/host/contract.test.ts',
  'test/host/decision-waiters.test.ts',
  'test/host/eviction.contract.test.ts',
  'test/host/failure.test.ts',
  'test/host/ink.test.ts',
  'test/host/local-driver.test.ts',
  'test/host/loop.test.ts',
  'test/host/manage.test.ts',
  'test/host/narration-edges.test.ts',
  'test/host/players.contract.test.ts',
  'test/host/presence.contract.test.ts',
  'test/host/rate-limits.test.ts',
  'test/host/turn-driver-port.test.ts',
  'test/host/turn-loop-edges.test.ts',
  'test/host/xcard.contract.test.ts',
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
const listKey = createHash('sha256').update(testFiles.join('\n')).digest('hex').slice(0, 8);
const key = `${listKey}-${testTreeHash().update(testFiles.join('\n')).digest('hex').slice(0, 16)}`;
const incrementalFile = `${REPORTS}/incremental-${key}.json`;

/**
 * MUTATE_RETEST, after tests were only added (none weakened or removed): starts the new key's
 * results from earlier results without their survivors, so only those survivors (and changed
 * source) are run again; a mutant killed before stays killed. MUTATE_RETEST=1 takes the newest
 * results of the same test files; MUTATE_RETEST=<results file> that file (e.g. after a test
 * file was added to the list). Not after a test was changed or removed: then run afresh.
 */
function earlierResults(retest) {
  if (retest !== '1') return existsSync(retest) ? retest : undefined;
  if (!existsSync(REPORTS)) return undefined;
  return readdirSync(REPORTS)
    .filter((f) => f.startsWith(`incremental-${listKey}-`) && f.endsWith('.json'))
    .map((f) => join(REPORTS, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
const retest = process.env.MUTATE_RETEST;
if (retest !== undefined && retest !== '' && !existsSync(incrementalFile)) {
  const earlier = earlierResults(retest);
  if (earlier === undefined) throw new Error(`MUTATE_RETEST: no earlier results (${retest})`);
  const report = JSON.parse(readFileSync(earlier, 'utf8'));
  for (const file of Object.values(report.files))
    file.mutants = file.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
  writeFileSync(incrementalFile, JSON.stringify(report));
}

/** Stryker's options (https://stryker-mutator.io/docs/stryker-js/configuration). */
export default {
  mutate: MUTATE,
  // node's test runner has no Stryker plugin: one node process imports every test file (about
  // half the time of `node --test`, which starts a process per file) and exits non-zero on a
  // failure, at the first failing test (scripts/bail-reporter.mjs).
  testRunner: 'command',
  commandRunner: {
    command: `HOST_DRIVERS=local node --test-reporter=./scripts/bail-reporter.mjs --import tsx scripts/run-imported-tests.mjs ${testFiles.join(' ')}`,
  },
  // TypeScript 7 has no JavaScript API, which Stryker's tsconfig rewriting step needs: a
  // tsconfigFile that does not exist skips that step (there is no type checker plugin either).
  tsconfigFile: 'stryker-skips-tsconfig.json',
  // The machine is shared: one mutant at a time (`--concurrency 2` on a quiet machine).
  concurrency: 1,
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

// Runs the given test files in this one process (node:test runs what they declare), for
// mutation testing, where starting a process per file would double the time per mutant.
// Usage: node --import tsx scripts/run-imported-tests.mjs <test file> ...
import { resolve } from 'node:path';
import { after } from 'node:test';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: run-imported-tests.mjs <test file> ...');
  process.exit(2);
}
// A mutant is caught by the first failing property run; shrinking that run to a minimal case
// (for a person to read) can take longer than Stryker's timeout and only costs time here.
fc.configureGlobal({ endOnFailure: true });
for (const file of files) await import(pathToFileURL(resolve(file)).href);
// Exit (with the runner's verdict, already in process.exitCode) as soon as every test is done:
// a mutant that leaks a timer must not hold the process until Stryker's timeout, which would
// take long, and under load a slow run may pass for a hang.
after(() => {
  setImmediate(() => process.exit());
});

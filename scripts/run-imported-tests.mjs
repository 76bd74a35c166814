// Runs the given test files in this one process (node:test runs what they declare), for
// mutation testing, where starting a process per file would double the time per mutant.
// Usage: node --import tsx scripts/run-imported-tests.mjs <test file> ...
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: run-imported-tests.mjs <test file> ...');
  process.exit(2);
}
for (const file of files) await import(pathToFileURL(resolve(file)).href);

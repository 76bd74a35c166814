// A node:test reporter for mutation runs (scripts/run-imported-tests.mjs): the first failing test
// decides that the mutant is caught, so the process exits with status 1 right away instead of
// running every other test first. Nothing is printed: Stryker reads only the exit status.
export default async function* bailOnFirstFailure(source) {
  for await (const event of source) {
    if (event.type === 'test:fail' && !event.data.todo && !event.data.skip) process.exit(1);
  }
  yield '';
}

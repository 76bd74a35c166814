import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { replay } from '../../src/cartridge-kit/replay.js';
import { runTest } from '../../src/cartridge-kit/run.js';
import { listCartridges } from '../../src/narrator/ink.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => join(FIXTURES, `${name}.ink`);
const SMALL = { runs: 30, hostRuns: 3 };

test('cartridge test finds the planted dead ends (DONE without an ending, no choice left) with file:line', async () => {
  const r = await runTest({ target: fixture('dead-end'), ...SMALL });
  assert.equal(r.ok, false);
  const places = r.deadEnds.map((d) => `${d.where}:${d.line}`).sort();
  assert.deepEqual(places, ['blue:19', 'red:15']);
  assert.ok(r.deadEnds.every((d) => d.file === fixture('dead-end') && d.count > 0));
  assert.deepEqual(
    r.endings.map((e) => e.name),
    ['outside'],
  );
  assert.equal(r.outcomes['dead-end'] + r.outcomes.ending, 30);
});

test('cartridge test lists the knots and stitches nothing reaches, and passes otherwise', async () => {
  const r = await runTest({ target: fixture('unreachable'), ...SMALL });
  assert.deepEqual(
    r.unvisited.map((f) => `${f.kind} ${f.path} line ${f.line}`),
    ['stitch path.secret line 16', 'knot lost_room line 20'],
  );
  assert.equal(r.ok, true);
  assert.deepEqual(r.turns, { min: 1, median: 1, max: 1, total: 30 });
});

test('cartridge test reports a label too long for a Discord button as a failure', async () => {
  const r = await runTest({ target: fixture('long-label'), ...SMALL });
  assert.equal(r.ok, false);
  assert.equal(r.longLabels.length, 1);
  assert.match(r.longLabels[0]?.detail ?? '', /^92 characters .*80.*: Follow the winding path/);
  assert.equal(r.longLabels[0]?.where, 'start');
});

test('cartridge test reports a runtime error with the presses that led to it, and --replay reproduces it', async () => {
  const r = await runTest({ target: fixture('runtime-error'), ...SMALL });
  assert.equal(r.ok, false);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0];
  assert.ok(e !== undefined);
  assert.match(e.message, /RANDOM was called with minimum as 5/);
  assert.deepEqual(e.example.path, ['Pull the lever']);
  assert.equal(e.example.where, 'lever');
  // Through a JSON round trip, as `--json > report.json` then `--replay report.json` would.
  const recorded = JSON.parse(JSON.stringify(e.example));
  const lines: string[] = [];
  const again = replay(fixture('runtime-error'), undefined, recorded, (l) => lines.push(l));
  assert.equal(again?.outcome, 'error');
  assert.deepEqual(again?.path, ['Pull the lever']);
  assert.match(lines.at(-1) ?? '', /^ERROR at lever: .*RANDOM/);
});

test('cartridge test reports a loop that never reaches an ending within the turn limit', async () => {
  const r = await runTest({ target: fixture('loop'), runs: 6, hostRuns: 3, maxTurns: 15 });
  assert.equal(r.loops.count, 6);
  assert.equal(r.loops.example?.turns.length, 15);
  assert.equal(r.endings.length, 0);
});

test('cartridge test gives compile errors with their line, and plays nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gg-kit-'));
  try {
    const file = join(dir, 'broken.ink');
    writeFileSync(file, 'Hello\n* [Go] -> nowhere\n');
    const r = await runTest({ target: file, ...SMALL });
    assert.equal(r.ok, false);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(
      errors.map((d) => [d.file, d.line]),
      [[file, 2]],
    );
    assert.match(errors[0]?.message ?? '', /nowhere/);
    assert.equal(
      Object.values(r.outcomes).reduce((a, b) => a + b, 0),
      0,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('seeded runs are reproducible; another seed plays differently', async () => {
  const options = { target: fixture('runtime-error'), runs: 40, hostRuns: 4 };
  const a = await runTest({ ...options, seed: 7 });
  const b = await runTest({ ...options, seed: 7 });
  const c = await runTest({ ...options, seed: 8 });
  assert.deepEqual(a, b);
  assert.ok(a.errors[0] !== undefined && c.errors[0] !== undefined);
  assert.notDeepEqual(a.errors[0].example.players, c.errors[0].example.players);
});

test('every built-in cartridge passes cartridge test: endings only, every knot visited', async () => {
  const ids = listCartridges().map((c) => c.id);
  assert.ok(ids.length >= 3, `built-in cartridges: ${ids.join(', ')}`);
  for (const id of ids) {
    const r = await runTest({ target: id, runs: 150, hostRuns: 6 });
    assert.equal(
      r.ok,
      true,
      `${id}: ${JSON.stringify({ e: r.errors, d: r.deadEnds }).slice(0, 500)}`,
    );
    assert.equal(r.outcomes.ending, 150, `${id}: ${JSON.stringify(r.outcomes)}`);
    assert.deepEqual(r.diagnostics, [], id);
    assert.deepEqual(r.unvisited, [], `${id}: never visited`);
    assert.deepEqual(r.longLabels, [], id);
  }
});

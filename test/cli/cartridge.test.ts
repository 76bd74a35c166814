import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'narrator', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'gg-cart-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('cartridge test prints the findings as a table and exits 1 on a dead end', async () => {
  const r = await run([
    'cartridge',
    'test',
    join(FIXTURES, 'dead-end.ink'),
    '--runs',
    '20',
    '--host-runs',
    '2',
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /^DEAD ENDS +\d+ playthrough\(s\) stopped with no choices and no ending$/m,
  );
  assert.match(r.stdout, /dead-end\.ink:15 \(red\)/);
  assert.match(r.stdout, /^RESULT +FAIL \(\d+ dead end\(s\)\)$/m);
});

test('cartridge new scaffolds a cartridge that passes cartridge test, and never overwrites', async () => {
  const made = await run(['cartridge', 'new', 'night-bus', '--dir', dir]);
  assert.equal(made.code, 0, made.stderr);
  const file = join(dir, 'night-bus.ink');
  assert.match(readFileSync(file, 'utf8'), /^# title: Night Bus\n# description: /);
  const tested = await run([
    'cartridge',
    'test',
    file,
    '--runs',
    '30',
    '--host-runs',
    '3',
    '--json',
  ]);
  assert.equal(tested.code, 0, tested.stdout);
  const report = JSON.parse(tested.stdout);
  assert.equal(report.ok, true);
  assert.equal(report.cartridge.title, 'Night Bus');
  assert.deepEqual(report.unvisited, []);
  assert.deepEqual(report.endings.map((e: { name: string }) => e.name).sort(), ['door', 'window']);
  const again = await run(['cartridge', 'new', 'night-bus', '--dir', dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; nothing was written/);
  const bad = await run(['cartridge', 'new', '../escape', '--dir', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a cartridge name/);
});

test('cartridge test --json then --replay shows the presses that lead to a runtime error', async () => {
  const target = join(FIXTURES, 'runtime-error.ink');
  const tested = await run([
    'cartridge',
    'test',
    target,
    '--runs',
    '20',
    '--host-runs',
    '0',
    '--json',
  ]);
  assert.equal(tested.code, 1);
  const file = join(dir, 'report.json');
  writeFileSync(file, tested.stdout);
  const replayed = await run(['cartridge', 'test', target, '--replay', file]);
  assert.equal(replayed.code, 1);
  assert.match(replayed.stdout, /followed: "Pull the lever"/);
  assert.match(replayed.stdout, /^ERROR at lever: .*RANDOM was called/m);
});

test('cartridge: usage errors exit 2 with the help', async () => {
  for (const args of [
    ['cartridge'],
    ['cartridge', 'test'],
    ['cartridge', 'lint', 'x'],
    ['cartridge', 'test', 'low-battery', '--runs', '0'],
    ['cartridge', 'test', 'low-battery', '--bogus'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /gamegirl cartridge/);
  }
  const missing = await run(['cartridge', 'test', 'no-such-cartridge']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No cartridge is called "no-such-cartridge"/);
});

// The SQLite file on disk: created 0600 in a 0700 data folder, and an existing empty file is
// refused instead of silently starting an empty store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, openStore } from '../../src/config.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

test('the data folder is created 0700 and the database file 0600', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gg-files-'));
  try {
    const config = await loadConfig({ dataDir: join(root, 'data') }, {});
    const { store, where } = await openStore(config);
    await store.close();
    assert.equal(statSync(join(root, 'data')).mode & 0o777, 0o700);
    assert.equal(statSync(where).mode & 0o777, 0o600);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an existing zero-length database file is refused with a STORE error naming it', () => {
  const root = mkdtempSync(join(tmpdir(), 'gg-files-'));
  try {
    const file = join(root, 'gamegirl.sqlite');
    writeFileSync(file, '');
    assert.throws(() => new SqliteStore(file), {
      code: 'STORE',
      message: /exists but is empty/,
    });
    assert.equal(statSync(file).size, 0, 'the file is left as it was');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

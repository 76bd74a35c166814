// `gamegirl backup <file>` while `gamegirl serve` holds the data folder (its lock) and players
// press: the copy is SQLite's online backup, opens as a store with the games and the presses
// that landed before it, and the console plays on.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { run } from './helpers/cli.js';
import { startServe } from './helpers/serve.js';
import { boot, press, seat } from './helpers/table.js';

describe('gamegirl backup', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gg-backup-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a consistent database while serve runs and presses land', async () => {
    const data = join(dir, 'data');
    // The window stays open (no early close once both chose): its presses are in the copy.
    const served = await startServe(['--countdown', '300'], {
      GAMEGIRL_DATA_DIR: data,
      GAMEGIRL_CLOSE_WHEN_ALL_CHOSEN: 'no',
    });
    const file = join(dir, 'games.backup.sqlite');
    try {
      const ann = await seat(served.wsUrl, 'den', 'Ann');
      const bob = await seat(served.wsUrl, 'den', 'Bob');
      await boot(ann);
      const annChose = await press(ann, 0, 0);
      // Bob presses while the backup runs: the copy has Ann's press, and Bob's if it landed
      // first; either way it is a consistent database.
      const [backup, bobChose] = await Promise.all([
        run(['backup', file, '--data-dir', data]),
        press(bob, 0, 1),
      ]);
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, /Backed up 1 game\(s\) from .*gamegirl\.sqlite to /);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(existsSync(`${file}.partial`), false);

      const copy = new SqliteStore(file);
      try {
        const game = await copy.loadChannel('den');
        assert.ok(game !== null, 'the running game is in the copy');
        assert.equal(game.active, true);
        assert.equal(game.pending_choices[Object.keys(game.pending_choices)[0] ?? ''], annChose);
        const pending = Object.values(game.pending_choices);
        assert.ok(pending.length === 1 || pending[1] === bobChose, JSON.stringify(pending));
      } finally {
        await copy.close();
      }
      // The console plays on after the backup: a press after it lands.
      const cat = await seat(served.wsUrl, 'den', 'Cat');
      await press(cat, 0, 0);
      for (const c of [ann, bob, cat]) await c.close();
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  it('says what to do for Redis and for a folder without a database', async () => {
    const redis = await run(['backup', join(dir, 'x'), '--redis-url', 'redis://127.0.0.1:1']);
    assert.equal(redis.code, 2);
    assert.match(redis.stderr, /use Redis persistence \(RDB\/AOF\) or `gamegirl export --all`/);
    const empty = await run(['backup', join(dir, 'y'), '--data-dir', join(dir, 'nothing')]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /there is no database at/);
    assert.equal(existsSync(join(dir, 'y')), false);
  });
});

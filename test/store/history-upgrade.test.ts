/**
 * Histories written before every append was kept (one record per turn number) still read in
 * turn order, and new records follow them: SQLite migrates its table, Redis reads both forms.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type BetterSqlite3 from 'better-sqlite3';
import { RedisStore, SqliteStore, TurnRecord } from '../../src/index.js';
import { gameDict } from '../helpers/game-dict.js';
import { cli, startRedis, stopAllRedis } from '../helpers/redis-server.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'gamegirl-upgrade-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const oldRecord = (turn: number) =>
  JSON.stringify(new TurnRecord(turn, { u1: `c${turn}` }, `old ${turn}`, 1_700_000_000).toDict());

test('SQLite: a schema-1 history (one row per turn, with gaps) migrates in turn order', async () => {
  const file = join(dir, 'v1.db');
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file);
  db.exec(`CREATE TABLE games (game_id TEXT PRIMARY KEY, data TEXT NOT NULL, game_name TEXT NOT NULL,
      channel_id TEXT NOT NULL, turn_number INTEGER NOT NULL, active INTEGER NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    CREATE INDEX games_by_recency ON games (updated_at DESC, game_id DESC);
    CREATE TABLE channels (channel_id TEXT PRIMARY KEY,
      game_id TEXT NOT NULL UNIQUE REFERENCES games (game_id) ON DELETE CASCADE);
    CREATE TABLE turns (game_id TEXT NOT NULL REFERENCES games (game_id) ON DELETE CASCADE,
      turn INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (game_id, turn)) WITHOUT ROWID;
    PRAGMA user_version = 1;`);
  const g = gameDict('g-old', 'c-old');
  db.prepare('INSERT INTO games VALUES (?, ?, ?, ?, 0, 1, 0, 0)').run(
    'g-old',
    JSON.stringify(g),
    'Test',
    'c-old',
  );
  for (const t of [9, 2, 5])
    db.prepare('INSERT INTO turns VALUES (?, ?, ?)').run('g-old', t, oldRecord(t));
  db.close();

  const store = new SqliteStore(file, { historyCap: 4 });
  try {
    const rec = new TurnRecord(3, { u1: 'new' }, 'new', 1_700_000_100).toDict();
    assert.equal((await store.appendTurn('g-old', rec)).stored, true);
    assert.equal((await store.appendTurn('g-old', rec)).stored, true);
    assert.deepEqual(
      (await store.recentTurns('g-old', 10)).map((r) => r.narrative_summary),
      ['old 5', 'old 9', 'new', 'new'],
    );
  } finally {
    await store.close();
  }
});

test('Redis: a history of bare records scored by turn reads in order; new records follow', async () => {
  const node = await startRedis();
  const store = await RedisStore.connect(node.url, { prefix: `up${process.pid}` });
  try {
    await store.bootGame(gameDict('g-old', 'c-old'));
    const hist = store.internals.keys.game('g-old').hist;
    for (const t of [9, 2, 5]) await cli(node.port, 'ZADD', hist, String(t), oldRecord(t));
    const rec = new TurnRecord(3, { u1: 'new' }, 'new', 1_700_000_100).toDict();
    await store.appendTurn('g-old', rec);
    await store.appendTurn('g-old', rec);
    assert.deepEqual(
      (await store.recentTurns('g-old', 4)).map((r) => r.narrative_summary),
      ['old 5', 'old 9', 'new', 'new'],
    );
  } finally {
    await store.close();
    await stopAllRedis([node]);
  }
});

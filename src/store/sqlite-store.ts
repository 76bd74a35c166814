import { closeSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { InvalidInputError, SessionDataError, StoreError } from '../core/errors.js';
import { type SessionState, stateToDict } from '../core/session-state.js';
import type { GameSummary } from '../core/store-port.js';
import { stateFromStored } from '../core/stored-state.js';
import type { IndexCursor } from './cursor.js';
import {
  type SnapshotBackend,
  SnapshotStore,
  type SnapshotStoreOptions,
} from './snapshot-store.js';

/** Schema migrations, applied in order; PRAGMA user_version records how many have run. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE games (
     game_id     TEXT PRIMARY KEY,
     data        TEXT NOT NULL,
     game_name   TEXT NOT NULL,
     channel_id  TEXT NOT NULL,
     turn_number INTEGER NOT NULL,
     active      INTEGER NOT NULL,
     created_at  INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL
   );
   CREATE INDEX games_by_recency ON games (updated_at DESC, game_id DESC);
   CREATE TABLE channels (
     channel_id TEXT PRIMARY KEY,
     game_id    TEXT NOT NULL UNIQUE REFERENCES games (game_id) ON DELETE CASCADE
   );
   CREATE TABLE turns (
     game_id TEXT NOT NULL REFERENCES games (game_id) ON DELETE CASCADE,
     turn    INTEGER NOT NULL,
     data    TEXT NOT NULL,
     PRIMARY KEY (game_id, turn)
   ) WITHOUT ROWID;`,
  // Every append is kept (several records may share a turn number): records are numbered by
  // `seq` in append order (existing ones renumbered in turn order); `commit_key` is the
  // optional idempotency key of an append.
  `CREATE TABLE turn_log (
     game_id    TEXT NOT NULL REFERENCES games (game_id) ON DELETE CASCADE,
     seq        INTEGER NOT NULL,
     commit_key TEXT,
     data       TEXT NOT NULL,
     PRIMARY KEY (game_id, seq)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX turn_log_by_key ON turn_log (game_id, commit_key) WHERE commit_key IS NOT NULL;
   INSERT INTO turn_log (game_id, seq, commit_key, data)
     SELECT game_id, ROW_NUMBER() OVER (PARTITION BY game_id ORDER BY turn), NULL, data FROM turns;
   DROP TABLE turns;`,
  // Games whose stored data could not be read, moved out of the way as they were (their
  // history as a JSON array of the stored records) for the operator to inspect.
  `CREATE TABLE set_aside (
     game_id      TEXT NOT NULL,
     set_aside_at INTEGER NOT NULL,
     channel_id   TEXT NOT NULL,
     reason       TEXT NOT NULL,
     data         TEXT NOT NULL,
     turns        TEXT NOT NULL,
     PRIMARY KEY (game_id, set_aside_at)
   ) WITHOUT ROWID;`,
  // What a channel's players chose for it, kept apart from its games.
  `CREATE TABLE channel_settings (
     channel_id TEXT PRIMARY KEY,
     data       TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

interface GameRow {
  game_id: string;
  game_name: string;
  channel_id: string;
  turn_number: number;
  active: number;
  created_at: number;
  updated_at: number;
}

const toSummary = (r: GameRow): GameSummary => ({
  gameId: r.game_id,
  gameName: r.game_name,
  channelId: r.channel_id,
  turnNumber: r.turn_number,
  active: r.active === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

// better-sqlite3 is a native addon: load it only when a SqliteStore is made, so that
// `import 'gamegirl'` stays light for users of the other stores.
const require = createRequire(import.meta.url);

/**
 * A database file that exists but is empty is refused (a truncated copy or a failed restore
 * would otherwise start as an empty store without a word); a new file is created 0600 (SQLite
 * gives its WAL and shared-memory files the same mode).
 */
function prepareFile(filename: string): void {
  if (filename === ':memory:' || filename === '' || filename.startsWith('file:')) return;
  let size: number | null = null;
  try {
    size = statSync(filename).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (size === 0)
    throw new StoreError(
      `the database file ${filename} exists but is empty: restore it, or delete it to start with no saved games`,
    );
  if (size === null) closeSync(openSync(filename, 'wx', 0o600));
}

function openDatabase(filename: string): BetterSqlite3.Database {
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  prepareFile(filename);
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: BetterSqlite3.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(
      `the database has schema version ${version}, newer than this package (${MIGRATIONS.length})`,
    );
  }
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

class SqliteBackend implements SnapshotBackend {
  readonly #db: BetterSqlite3.Database;
  readonly #run: BetterSqlite3.Transaction<(fn: () => unknown) => unknown>;
  readonly #stmts;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#run = db.transaction((fn: () => unknown) => fn());
    this.#stmts = {
      readGame: db.prepare<[string], { data: string }>('SELECT data FROM games WHERE game_id = ?'),
      writeGame: db.prepare(
        `INSERT INTO games (game_id, data, game_name, channel_id, turn_number, active, created_at, updated_at)
         VALUES (@gameId, @data, @gameName, @channelId, @turnNumber, @active, @createdAt, @updatedAt)
         ON CONFLICT (game_id) DO UPDATE SET data = excluded.data, game_name = excluded.game_name,
           channel_id = excluded.channel_id, turn_number = excluded.turn_number, active = excluded.active,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
      ),
      writeData: db.prepare('UPDATE games SET data = ? WHERE game_id = ?'),
      removeGame: db.prepare('DELETE FROM games WHERE game_id = ?'),
      setAside: db.prepare<[{ gameId: string; now: number; reason: string }]>(
        `INSERT OR REPLACE INTO set_aside (game_id, set_aside_at, channel_id, reason, data, turns)
         SELECT game_id, @now, channel_id, @reason, data,
           (SELECT json_group_array(data) FROM (SELECT data FROM turn_log WHERE game_id = @gameId ORDER BY seq))
         FROM games WHERE game_id = @gameId`,
      ),
      boundGame: db.prepare<[string], { game_id: string }>(
        'SELECT game_id FROM channels WHERE channel_id = ?',
      ),
      bind: db.prepare(
        'INSERT INTO channels (channel_id, game_id) VALUES (?, ?) ON CONFLICT (channel_id) DO UPDATE SET game_id = excluded.game_id',
      ),
      unbind: db.prepare('DELETE FROM channels WHERE channel_id = ?'),
      channelSettings: db.prepare<[string], { data: string }>(
        'SELECT data FROM channel_settings WHERE channel_id = ?',
      ),
      setChannelSettings: db.prepare(
        'INSERT INTO channel_settings (channel_id, data) VALUES (?, ?) ON CONFLICT (channel_id) DO UPDATE SET data = excluded.data',
      ),
      insertTurn: db.prepare<
        [{ gameId: string; key: string | null; data: string }],
        { seq: number }
      >(
        `INSERT INTO turn_log (game_id, seq, commit_key, data)
         VALUES (@gameId, COALESCE((SELECT MAX(seq) FROM turn_log WHERE game_id = @gameId), 0) + 1, @key, @data)
         RETURNING seq`,
      ),
      trimTurns: db.prepare('DELETE FROM turn_log WHERE game_id = ? AND seq <= ?'),
      turnByKey: db.prepare<[string, string], { data: string }>(
        'SELECT data FROM turn_log WHERE game_id = ? AND commit_key = ?',
      ),
      recentTurns: db.prepare<[string, number], { data: string }>(
        'SELECT data FROM (SELECT seq, data FROM turn_log WHERE game_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC',
      ),
      listFirst: db.prepare<[number], GameRow>(
        'SELECT * FROM games ORDER BY updated_at DESC, game_id DESC LIMIT ?',
      ),
      listAfter: db.prepare<[number, number, string, number], GameRow>(
        `SELECT * FROM games WHERE updated_at < ? OR (updated_at = ? AND game_id < ?)
         ORDER BY updated_at DESC, game_id DESC LIMIT ?`,
      ),
    };
  }

  transaction<T>(fn: () => T): T {
    // IMMEDIATE: take the write lock up front, so two processes on one file cannot interleave.
    // One wrapper made once: db.transaction(fn) per call cost ~10 % of a press.
    return this.#run.immediate(fn) as T;
  }

  readGame(gameId: string): SessionState | null {
    const json = this.#stmts.readGame.get(gameId)?.data;
    if (json === undefined) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      throw new SessionDataError(
        `game ${gameId}`,
        `stored row is not valid JSON (${(e as Error).message})`,
      );
    }
    return stateFromStored(parsed);
  }

  writeGame(st: SessionState, s: GameSummary | null): void {
    const data = JSON.stringify(stateToDict(st, false));
    if (s === null) this.#stmts.writeData.run(data, st.gameId);
    else this.#stmts.writeGame.run({ ...s, data, active: s.active ? 1 : 0 });
  }

  removeGame(gameId: string): void {
    this.#stmts.removeGame.run(gameId);
  }

  setAside(gameId: string, nowMs: number, reason: string): void {
    this.#stmts.setAside.run({ gameId, now: nowMs, reason });
    this.#stmts.removeGame.run(gameId); // its binding and history rows go with it (ON DELETE CASCADE)
  }

  boundGame(channelId: string): string | null {
    return this.#stmts.boundGame.get(channelId)?.game_id ?? null;
  }

  bind(channelId: string, gameId: string): void {
    this.#stmts.bind.run(channelId, gameId);
  }

  unbind(channelId: string): void {
    this.#stmts.unbind.run(channelId);
  }

  channelSettings(channelId: string): string | null {
    return this.#stmts.channelSettings.get(channelId)?.data ?? null;
  }

  setChannelSettings(channelId: string, json: string): void {
    this.#stmts.setChannelSettings.run(channelId, json);
  }

  appendTurn(gameId: string, json: string, key: string | null, cap: number): void {
    // Sequence numbers are contiguous per game, so the oldest kept is `seq - cap + 1`.
    const { seq } = this.#stmts.insertTurn.get({ gameId, key, data: json }) as { seq: number };
    if (seq > cap) this.#stmts.trimTurns.run(gameId, seq - cap);
  }

  turnByKey(gameId: string, key: string): string | null {
    return this.#stmts.turnByKey.get(gameId, key)?.data ?? null;
  }

  recentTurns(gameId: string, count: number): string[] {
    return this.#stmts.recentTurns.all(gameId, count).map((r) => r.data);
  }

  listGames(limit: number, after: IndexCursor | null): GameSummary[] {
    const rows =
      after === null
        ? this.#stmts.listFirst.all(limit)
        : this.#stmts.listAfter.all(after.updatedAt, after.updatedAt, after.gameId, limit);
    return rows.map(toSummary);
  }

  close(): void {
    this.#db.close();
  }
}

/** The embedded default: one SQLite file (WAL), survives restarts, needs no server. */
export class SqliteStore extends SnapshotStore {
  /** `filename` is a path, or ':memory:' for a private in-memory database. */
  constructor(filename: string, options: SnapshotStoreOptions = {}) {
    if (typeof filename !== 'string' || filename.length === 0) {
      throw new InvalidInputError('filename', 'must be a file path or ":memory:"');
    }
    let db: BetterSqlite3.Database;
    try {
      db = openDatabase(filename);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        `cannot open SQLite database ${JSON.stringify(filename)}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    super(new SqliteBackend(db), options);
  }
}

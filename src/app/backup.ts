import { closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError, loadConfig, settingsFromFlags } from '../config.js';
import { listAllGames } from '../core/games.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { type CommandIo, EXIT, parseCommandArgs } from './io.js';

const BACKUP_HELP = `Usage: gamegirl backup <file> [options]

Copies the data folder's SQLite database to <file> with SQLite's online backup: a consistent
copy even while \`gamegirl serve\` or \`gamegirl discord\` runs on the folder and players press
(they are not stopped). The copy is written beside <file> first and renamed when complete, then
opened to count its games. To restore, stop the server and copy the file to
<data folder>/gamegirl.sqlite (or point --data-dir at a folder holding it under that name).

For Redis (REDIS_URL), use Redis' own persistence (RDB/AOF), or \`gamegirl export --all\`.

Options:
  --data-dir <dir>          env: GAMEGIRL_DATA_DIR (default ./data)
  -h, --help                show this help`;

const require = createRequire(import.meta.url);

/** `gamegirl backup <file>`: an online backup of the SQLite data folder's database. */
export async function runBackup(argv: string[], io: CommandIo): Promise<number> {
  const args = parseCommandArgs('backup', argv, BACKUP_HELP, io);
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const target = positionals[0];
  if (target === undefined || positionals.length > 1) {
    io.err(`gamegirl backup: name one file to write\n\n${BACKUP_HELP}`);
    return EXIT.usage;
  }
  const partial = `${target}.partial`;
  try {
    const config = await loadConfig(settingsFromFlags(values));
    if (config.redisUrl !== null) {
      io.err(
        'gamegirl backup: games are in Redis (REDIS_URL): use Redis persistence (RDB/AOF) or `gamegirl export --all`',
      );
      return EXIT.usage;
    }
    const source = join(config.dataDir, 'gamegirl.sqlite');
    if (!existsSync(source)) {
      io.err(`gamegirl backup: there is no database at ${source} (no games saved yet?)`);
      return EXIT.failed;
    }
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    // A plain reader beside the serving process: the backup API copies a consistent snapshot
    // and restarts by itself when that process writes during the copy.
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      closeSync(openSync(partial, 'w', 0o600)); // the players' words: the operator's alone
      await db.backup(partial);
    } finally {
      db.close();
    }
    const copy = new SqliteStore(partial);
    let games: number;
    try {
      games = (await listAllGames(copy)).length;
    } finally {
      await copy.close();
    }
    renameSync(partial, target);
    io.out(`Backed up ${games} game(s) from ${source} to ${target}.`);
    return EXIT.ok;
  } catch (err) {
    rmSync(partial, { force: true });
    io.err(`gamegirl backup: ${(err as Error).message}`);
    return err instanceof ConfigError ? EXIT.usage : EXIT.failed;
  }
}

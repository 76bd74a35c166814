import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, openStore, settingsFromFlags } from '../config.js';
import { type GameArchive, parseArchive } from '../core/archive.js';
import { GameSessionError } from '../core/errors.js';
import type { SessionDict } from '../core/session-state.js';
import type { SessionStore } from '../core/store-port.js';
import { parseHostExtra } from '../host/saved-state.js';
import { type DataDirLock, DataDirLockedError, lockDataDir } from './data-lock.js';
import { type CommandIo, EXIT, parseCommandArgs } from './io.js';

const IMPORT_HELP = `Usage: gamegirl import <file> [--replace] [options]

Reads saved games written by \`gamegirl export\` (one JSON archive, or NDJSON from --all) into the
configured store: the SQLite file in the data folder, or Redis with --redis-url / REDIS_URL. Each
game keeps its id, players, narrator state, whole history and any open countdown (it runs on when
the game is next served); a game running in a channel runs there again.

Everything is checked before anything is written; if any game is refused, nothing is imported:
  - a game id the store already has (--replace overwrites it, history included);
  - a running game whose channel already runs another game in this store (exit that one first);
  - into Redis, a game whose last window closed but whose turn was not narrated yet, or whose
    narration failed: let it finish (or press Retry) where it runs, then export it again (into
    SQLite it is carried: the console narrates the turn, or offers Retry, when it loads it).
A SQLite data folder must not be served while importing (stop \`gamegirl serve\` first). Into
Redis, import before the workers start: a running worker that already showed a channel does not
see a game imported into it (a game is bound to its channel only once its history is in).

Options:
  --replace                 overwrite games that already exist
  --data-dir <dir>          env: GAMEGIRL_DATA_DIR (default ./data)
  --redis-url <url>         env: REDIS_URL
  -h, --help                show this help`;

/** The archives of a file: one JSON document, or one per line (NDJSON). */
export function readArchives(text: string): { archives: GameArchive[]; problems: string[] } {
  const docs: Array<{ where: string; value: unknown }> = [];
  const problems: string[] = [];
  try {
    docs.push({ where: 'the file', value: JSON.parse(text) });
  } catch {
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        docs.push({ where: `line ${i + 1}`, value: JSON.parse(line) });
      } catch (e) {
        problems.push(`line ${i + 1}: not JSON (${(e as Error).message})`);
      }
    }
  }
  const archives: GameArchive[] = [];
  for (const d of docs) {
    try {
      archives.push(parseArchive(d.value));
    } catch (e) {
      if (!(e instanceof GameSessionError)) throw e;
      problems.push(`${d.where}: ${e.message}`);
    }
  }
  return { archives, problems };
}

/** Why `a` cannot be carried on elsewhere yet (a turn in flight), or null. */
function inFlight(game: SessionDict): string | null {
  let x: ReturnType<typeof parseHostExtra>;
  try {
    x = parseHostExtra(game.extra);
  } catch {
    return null; // a library game: its state is all in the dict
  }
  if (x.unresolved !== null)
    return `the narration of turn ${x.unresolved.turn + 1} failed and waits for Retry`;
  if (game.turn_number > x.sceneTurn)
    return `turn ${x.sceneTurn + 1} was closed but not narrated yet`;
  return null;
}

/** What stops `archives` from being imported into `store` (empty: go ahead). */
async function refusals(
  store: SessionStore,
  archives: GameArchive[],
  options: { replace: boolean; redis: boolean },
): Promise<string[]> {
  const { replace } = options;
  const out: string[] = [];
  const seen = new Set<string>();
  const channels = new Map<string, string>();
  for (const { game } of archives) {
    const label = `game ${game.game_id} (${game.game_name || 'untitled'})`;
    if (seen.has(game.game_id)) out.push(`${label}: appears twice in the file`);
    seen.add(game.game_id);
    // The single-process host resumes such a turn from the game itself; Redis workers only
    // resolve turns Redis itself closed (see docs/decisions.md, "Export, import, backup").
    const why = options.redis ? inFlight(game) : null;
    if (why !== null)
      out.push(`${label}: ${why}; let it finish where it runs (or Retry), then export again`);
    if (!replace && (await store.loadGame(game.game_id)) !== null)
      out.push(`${label}: already in this store (--replace overwrites it)`);
    const bound = await store.loadChannel(game.channel_id);
    const other = channels.get(game.channel_id);
    if (game.active && other !== undefined)
      out.push(`${label}: the file has another game running in #${game.channel_id} (${other})`);
    if (game.active) channels.set(game.channel_id, game.game_id);
    // A game is written by binding it to its channel (and unbinding a saved one): the channel
    // must be free, or hold this very game.
    if (bound !== null && bound.game_id !== game.game_id)
      out.push(
        `${label}: its channel #${game.channel_id} runs game ${bound.game_id} in this store; exit that game first`,
      );
  }
  return out;
}

/**
 * Writes one archive. The game is first stored as a saved game (no window, no channel) and its
 * history appended; only then is a running game bound to its channel with its open window, so
 * that no console (in Redis mode, a worker already running) plays it before its history is in.
 */
async function write(store: SessionStore, a: GameArchive, replace: boolean): Promise<void> {
  const g = a.game;
  if (replace) await store.deleteGame(g.game_id);
  await store.bootGame({ ...g, active: false, window_deadline_ms: null });
  await store.unbindChannel(g.channel_id);
  for (const t of a.turns) await store.appendTurn(g.game_id, t);
  if (g.active) await store.bootGame(g);
}

/** `gamegirl import <file>`: saved games from `gamegirl export` into the configured store. */
export async function runImport(argv: string[], io: CommandIo): Promise<number> {
  const args = parseCommandArgs('import', argv, IMPORT_HELP, io, { replace: { type: 'boolean' } });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    io.err(`gamegirl import: name one file\n\n${IMPORT_HELP}`);
    return EXIT.usage;
  }
  const replace = values.replace === true;
  let lock: DataDirLock | null = null;
  try {
    const { archives, problems } = readArchives(readFileSync(file, 'utf8'));
    if (archives.length === 0 && problems.length === 0) problems.push('the file holds no games');
    if (problems.length > 0) {
      io.err(
        `gamegirl import: ${file} is not an export; nothing was imported:\n  ${problems.join('\n  ')}`,
      );
      return EXIT.failed;
    }
    const config = await loadConfig(settingsFromFlags(values));
    const { store, where } = await openStore(config);
    try {
      if (config.redisUrl === null) lock = lockDataDir(config.dataDir);
      const refused = await refusals(store, archives, { replace, redis: config.redisUrl !== null });
      if (refused.length > 0) {
        io.err(`gamegirl import: nothing was imported:\n  ${refused.join('\n  ')}`);
        return EXIT.failed;
      }
      // Saved games first: a running game then takes its channel from none of them.
      const ordered = [
        ...archives.filter((a) => !a.game.active),
        ...archives.filter((a) => a.game.active),
      ];
      let turns = 0;
      for (const [i, a] of ordered.entries()) {
        try {
          await write(store, a, replace);
        } catch (e) {
          io.err(
            `gamegirl import: ${i} of ${ordered.length} game(s) were imported before game ${a.game.game_id} failed; run again with --replace to finish`,
          );
          throw e;
        }
        turns += a.turns.length;
      }
      io.out(`Imported ${archives.length} game(s) with ${turns} turn(s) into ${where}.`);
      return EXIT.ok;
    } finally {
      lock?.release();
      await store.close();
    }
  } catch (err) {
    io.err(`gamegirl import: ${(err as Error).message}`);
    if (err instanceof DataDirLockedError) return EXIT.locked;
    return err instanceof ConfigError ? EXIT.usage : EXIT.failed;
  }
}

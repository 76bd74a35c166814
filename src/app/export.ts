import { closeSync, openSync, writeSync } from 'node:fs';
import { ConfigError, loadConfig, openStore, settingsFromFlags } from '../config.js';
import { readArchive } from '../core/archive.js';
import { SessionDataError } from '../core/errors.js';
import { listAllGames } from '../core/games.js';
import { checkGameId } from '../core/limits.js';
import { transcriptOf } from '../host/transcript.js';
import { type CommandIo, parseCommandArgs } from './io.js';

const EXPORT_HELP = `Usage: gamegirl export <gameId> [--format markdown|json] [--out <file>] [options]
       gamegirl export --all [--out <file>] [options]

Writes one saved game as a readable Markdown transcript (the default: players, every turn with
who chose what, what the group decided and what happened, the scene on screen), or as a JSON
archive (--format json: the saved game with its narrator state, any open countdown and its whole
history, which \`gamegirl import\` reads into another store). --all writes every saved game as
JSON archives, one per line (NDJSON); a game whose stored data cannot be read is skipped and
named (exit code 1). Reading is safe while \`gamegirl serve\` runs.

Options:
  --format <markdown|json>  what to write (default markdown; --all always writes json)
  --out <file>              write to this file (created 0600) instead of standard output
  --all                     every saved game
  --data-dir <dir>          env: GAMEGIRL_DATA_DIR (default ./data)
  --redis-url <url>         env: REDIS_URL
  --aggregation <rule>      env: GAMEGIRL_AGGREGATION: tells old turns' reveals (default all)
  -h, --help                show this help`;

/** Writes pieces to `--out` (0600: saved games are the players' words) or standard output. */
function sink(out: string | undefined, io: CommandIo): { write(s: string): void; close(): void } {
  if (out === undefined) {
    const pieces: string[] = [];
    return {
      write: (s) => {
        pieces.push(s);
      },
      close: () => io.out(pieces.join('').replace(/\n$/, '')),
    };
  }
  const fd = openSync(out, 'w', 0o600);
  return {
    write: (s) => {
      writeSync(fd, s);
    },
    close: () => closeSync(fd),
  };
}

/** `gamegirl export`: a saved game as Markdown or a JSON archive, or every game as NDJSON. */
export async function runExport(argv: string[], io: CommandIo): Promise<number> {
  const args = parseCommandArgs('export', argv, EXPORT_HELP, io, {
    format: { type: 'string' },
    out: { type: 'string' },
    all: { type: 'boolean' },
  });
  if (typeof args === 'number') return args;
  const { values, positionals } = args;
  const all = values.all === true;
  const format = typeof values.format === 'string' ? values.format : all ? 'json' : 'markdown';
  const usage = (why: string) => {
    io.err(`gamegirl export: ${why}\n\n${EXPORT_HELP}`);
    return 2;
  };
  if (format !== 'markdown' && format !== 'json')
    return usage(`--format must be markdown or json (got ${JSON.stringify(format)})`);
  if (all && (positionals.length > 0 || format !== 'json'))
    return usage('--all writes every game as JSON archives: name no game and no other format');
  if (!all && positionals.length !== 1) return usage('name one game id (see `gamegirl games`)');
  const out = typeof values.out === 'string' ? values.out : undefined;
  try {
    const config = await loadConfig(settingsFromFlags(values));
    const { store } = await openStore(config);
    try {
      if (!all) {
        const gameId = checkGameId(positionals[0]);
        const archive = await readArchive(store, gameId, Date.now());
        if (archive === null) {
          io.err(
            `gamegirl export: no saved game ${JSON.stringify(gameId)} (see \`gamegirl games\`)`,
          );
          return 1;
        }
        const text =
          format === 'json'
            ? `${JSON.stringify(archive, null, 2)}\n`
            : transcriptOf(archive, config.channelSettings.aggregation);
        const s = sink(out, io);
        s.write(text);
        s.close();
        return 0;
      }
      const s = sink(out, io);
      let games = 0;
      let turns = 0;
      const skipped: string[] = [];
      try {
        for (const g of await listAllGames(store)) {
          let archive: Awaited<ReturnType<typeof readArchive>>;
          try {
            archive = await readArchive(store, g.gameId, Date.now());
          } catch (e) {
            // One damaged game must not keep the others from moving: told, and the exit code 1.
            if (!(e instanceof SessionDataError)) throw e;
            skipped.push(`game ${g.gameId} (${g.gameName || 'untitled'}) skipped: ${e.message}`);
            continue;
          }
          if (archive === null) continue; // deleted since it was listed
          s.write(`${JSON.stringify(archive)}\n`);
          games++;
          turns += archive.turns.length;
        }
      } finally {
        s.close();
      }
      for (const line of skipped) io.err(`gamegirl export: ${line}`);
      if (out !== undefined) io.err(`gamegirl export: ${games} game(s), ${turns} turn(s) → ${out}`);
      return skipped.length === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  } catch (err) {
    io.err(`gamegirl export: ${(err as Error).message}`);
    return err instanceof ConfigError ? 2 : 1;
  }
}
